;; Needs `make: func() -> own<thing>` where `thing` is the instance's own resource.
(component
  (import "local:res/api" (instance $api
    (export "thing" (type $t (sub resource)))
    (export "make" (func (result (own $t))))))
  (export "local:app/passthrough" (instance $api))
)
