(component (; nested (; comment ;) ;) ;; line
  (core module)
  (type (list $nope))
  "unterminated
