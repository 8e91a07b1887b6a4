;; The root: runs a computation against a key-value store with a resource (`bucket`),
;; logs through a logger, and reads a host clock that no input provides.
(component
  (import "local:kv/store@1.2.0" (instance $kv
    (export "bucket" (type $b (sub resource)))
    (export "open" (func (param "name" u32) (result (own $b))))
    (export "[method]bucket.get" (func (param "self" (borrow $b)) (param "key" u32) (result u32)))))
  (import "local:log/logger@0.1.0" (instance $log
    (export "log" (func (param "level" u32)))))
  (import "local:host/clock" (instance $clock
    (export "now" (func (result u64)))))
  (alias export $kv "bucket" (type $bucket))
  (alias export $kv "open" (func $open))
  (alias export $kv "[method]bucket.get" (func $get))
  (alias export $log "log" (func $logf))
  (alias export $clock "now" (func $now))
  (core func $open-l (canon lower (func $open)))
  (core func $get-l (canon lower (func $get)))
  (core func $log-l (canon lower (func $logf)))
  (core func $now-l (canon lower (func $now)))
  (core func $drop (canon resource.drop $bucket))
  (core module $m
    (import "host" "open" (func $open (param i32) (result i32)))
    (import "host" "get" (func $get (param i32 i32) (result i32)))
    (import "host" "log" (func $log (param i32)))
    (import "host" "now" (func $now (result i64)))
    (import "host" "drop" (func $drop (param i32)))
    (func (export "run") (result i32) (local $b i32) (local $r i32)
      (call $log (i32.wrap_i64 (call $now)))
      (local.set $b (call $open (i32.const 7)))
      (local.set $r (call $get (local.get $b) (i32.const 35)))
      (call $drop (local.get $b))
      (local.get $r)))
  (core instance $host
    (export "open" (func $open-l)) (export "get" (func $get-l)) (export "log" (func $log-l))
    (export "now" (func $now-l)) (export "drop" (func $drop)))
  (core instance $i (instantiate $m (with "host" (instance $host))))
  (func $run (result u32) (canon lift (core func $i "run")))
  (instance $api (export "run" (func $run)))
  (export "local:app/run" (instance $api))
)
