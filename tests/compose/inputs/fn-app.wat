;; Imports a plain function `greet` (a world-level function import), not an interface.
(component
  (import "greet" (func $g (param "name" string) (result string)))
  (instance $i (export "greet" (func $g)))
  (export "local:app/hello" (instance $i))
)
