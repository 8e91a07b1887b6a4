;; Exports the plain function `greet`, taken from an interface it imports.
(component
  (import "local:impl/greeter" (instance $x
    (export "greet" (func (param "name" string) (result string)))))
  (alias export $x "greet" (func $g))
  (export "greet" (func $g))
)
