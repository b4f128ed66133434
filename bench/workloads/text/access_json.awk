# Text workload 6's reference (bench/text.sh): the fields of
# parse(nginx_combined) (docs/fields.md), as JSON, for each 5xx line. A quote
# splits the line into its address/user/time part, the request, the status
# and size, the referer and the user agent; '-' is no value, as flow reads it.
function esc(s) {
  gsub(/\\/, "&&", s)
  gsub(/"/, "\\\"", s)
  return s
}
function text(name, value) { return ",\"" name "\":\"" esc(value) "\"" }
BEGIN { FS = "\"" }
{
  split($3, numbers, " ")
  if (numbers[1] + 0 < 500) next
  split($1, head, " ")
  time = substr($1, index($1, "[") + 1)
  time = substr(time, 1, index(time, "]") - 1)
  out = "{\"remote_addr\":\"" esc(head[1]) "\""
  if (head[3] != "-") out = out text("remote_user", head[3])
  out = out text("time_local", time) text("request", $2)
  n = split($2, words, " ")
  if (n >= 2) {
    last = n
    if (n >= 3 && words[n] ~ /^HTTP\//) last = n - 1
    path = words[2]
    for (i = 3; i <= last; i++) path = path " " words[i]
    out = out text("method", words[1]) text("path", path)
    if (last < n) out = out text("protocol", words[n])
  }
  out = out ",\"status\":" numbers[1] + 0 ",\"body_bytes_sent\":" numbers[2] + 0
  if ($4 != "-") out = out text("http_referer", $4)
  if ($6 != "-") out = out text("http_user_agent", $6)
  print out "}"
}
