;; Needs `get: func(key: string) -> option<list<u8>>` from `local:kv/store`.
(component
  (import "local:kv/store@1.0.0" (instance $kv
    (export "get" (func (param "key" string) (result (option (list u8)))))))
  (export "local:app/passthrough" (instance $kv))
)
