;; Exports `local:res/api` whose `make` returns another resource than its `thing`.
(component
  (import "local:impl/two" (instance $two
    (export "thing" (type $t (sub resource)))
    (export "other" (type $o (sub resource)))
    (export "make" (func (result (own $o))))))
  (export "local:res/api" (instance $two))
)
