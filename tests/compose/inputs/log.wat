;; Implements `local:log/logger@0.1.5`; reads the host clock, asking for one more
;; function of it than the root does.
(component
  (import "local:host/clock" (instance $clock
    (export "now" (func (result u64)))
    (export "resolution" (func (result u64)))))
  (alias export $clock "now" (func $now))
  (core func $now-l (canon lower (func $now)))
  (core module $m
    (import "host" "now" (func $now (result i64)))
    (func (export "log") (param i32) (drop (call $now))))
  (core instance $host (export "now" (func $now-l)))
  (core instance $i (instantiate $m (with "host" (instance $host))))
  (func $log (param "level" u32) (canon lift (core func $i "log")))
  (instance $logger (export "log" (func $log)))
  (export "local:log/logger@0.1.5" (instance $logger))
)
