;; Implements `local:kv/store@1.3.1` (a newer minor version than the root needs, with one
;; more function) with a resource it defines; logs through `local:log/logger@0.1.2`.
(component
  (import "local:log/logger@0.1.2" (instance $log
    (export "log" (func (param "level" u32)))))
  (type $bucket (resource (rep i32)))
  (alias export $log "log" (func $logf))
  (core func $log-l (canon lower (func $logf)))
  (core func $new (canon resource.new $bucket))
  (core module $m
    (import "host" "log" (func $log (param i32)))
    (import "host" "new" (func $new (param i32) (result i32)))
    (func (export "open") (param i32) (result i32) (call $log (local.get 0)) (call $new (local.get 0)))
    (func (export "get") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
    (func (export "delete") (param i32)))
  (core instance $host (export "log" (func $log-l)) (export "new" (func $new)))
  (core instance $i (instantiate $m (with "host" (instance $host))))
  (type $open-t (func (param "name" u32) (result (own $bucket))))
  (type $get-t (func (param "self" (borrow $bucket)) (param "key" u32) (result u32)))
  (type $del-t (func (param "key" u32)))
  (func $open (type $open-t) (canon lift (core func $i "open")))
  (func $get (type $get-t) (canon lift (core func $i "get")))
  (func $del (type $del-t) (canon lift (core func $i "delete")))
  ;; As wit-component does: a nested component gives the exported instance its type,
  ;; with the resource exported under its name before the functions that use it.
  (component $shim
    (import "import-type-bucket" (type $b (sub resource)))
    (import "import-func-open" (func $open (param "name" u32) (result (own $b))))
    (import "import-func-get" (func $get (param "self" (borrow $b)) (param "key" u32) (result u32)))
    (import "import-func-delete" (func $del (param "key" u32)))
    (export $eb "bucket" (type $b))
    (export "open" (func $open) (func (param "name" u32) (result (own $eb))))
    (export "[method]bucket.get" (func $get) (func (param "self" (borrow $eb)) (param "key" u32) (result u32)))
    (export "delete" (func $del)))
  (instance $store (instantiate $shim
    (with "import-type-bucket" (type $bucket))
    (with "import-func-open" (func $open))
    (with "import-func-get" (func $get))
    (with "import-func-delete" (func $del))))
  (export "local:kv/store@1.3.1" (instance $store))
)
