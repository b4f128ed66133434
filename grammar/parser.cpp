// placeholder: replaced by the owner of grammar
