;; Exports `local:kv/store@2.0.0`: a new major version, so no 1.x import accepts it.
(component
  (import "local:kv-impl/raw" (instance $raw
    (export "bucket" (type $b (sub resource)))
    (export "open" (func (param "name" u32) (result (own $b))))
    (export "[method]bucket.get" (func (param "self" (borrow $b)) (param "key" u32) (result u32)))))
  (export "local:kv/store@2.0.0" (instance $raw))
)
