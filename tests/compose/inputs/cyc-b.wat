;; Imports `local:c/a` and exports `local:c/b`.
(component
  (import "local:c/a" (instance $a (export "f" (func))))
  (export "local:c/b" (instance $a))
)
