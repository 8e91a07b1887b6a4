;; Imports `local:c/b` and exports `local:c/a`; with cyc-b.wasm, a cycle.
(component
  (import "local:c/b" (instance $b (export "f" (func))))
  (export "local:c/a" (instance $b))
)
