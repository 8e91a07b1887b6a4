;; Imports two interfaces, the second using a record of the first (as WIT's `use` does);
;; nothing provides them, so they stay imports of the composition with their names.
;; `local:t/extra` comes from use-b.wasm.
(component
  (import "local:t/types" (instance $types
    (type $p (record (field "x" u32) (field "y" u32)))
    (export "point" (type (eq $p)))))
  (alias export $types "point" (type $point))
  (import "local:t/api" (instance $api
    (alias outer 1 $point (type $pt))
    (export "point" (type $pe (eq $pt)))
    (export "norm" (func (param "p" $pe) (result u32)))))
  (import "local:t/extra" (instance $extra
    (alias outer 1 $point (type $pt))
    (export "point" (type $pe (eq $pt)))
    (export "norm" (func (param "p" $pe) (result u32)))))
  (export "local:t/out" (instance $api))
)
