;; Exports `local:c/b` with no imports: the way out of the cycle.
(component
  (import "local:c/other" (instance $o (export "f" (func))))
  (export "local:c/b" (instance $o))
)
