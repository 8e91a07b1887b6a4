;; Needs one more function of `local:t/api` than use-a.wasm, and exports what use-a imports
;; under another name so that it is used.
(component
  (import "local:t/types" (instance $types
    (type $p (record (field "x" u32) (field "y" u32)))
    (export "point" (type (eq $p)))))
  (alias export $types "point" (type $point))
  (import "local:t/api" (instance $api
    (alias outer 1 $point (type $pt))
    (export "point" (type $pe (eq $pt)))
    (export "norm" (func (param "p" $pe) (result u32)))
    (export "scale" (func (param "p" $pe) (param "by" u32) (result $pe)))))
  (export "local:t/extra" (instance $api))
)
