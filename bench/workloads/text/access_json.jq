# Text workload 6 in jq (bench/text.sh): the same fields as
# parse(nginx_combined) for each 5xx line; '-' is no value.
capture("^(?<remote_addr>\\S+) - (?<remote_user>\\S+) \\[(?<time_local>[^\\]]*)\\] \"(?<request>[^\"]*)\" (?<status>\\d+) (?<body_bytes_sent>\\d+) \"(?<http_referer>[^\"]*)\" \"(?<http_user_agent>[^\"]*)\"")
| .status |= tonumber
| select(.status >= 500)
| .body_bytes_sent |= tonumber
| (.request | capture("^(?<method>\\S+) (?<path>.*?)(?: (?<protocol>HTTP/\\S*))?$")) as $r
| . + $r
| with_entries(select(.value != "-" and .value != null))
