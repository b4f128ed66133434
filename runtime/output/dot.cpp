// placeholder: replaced by the owner of runtime/output
