;; Offers `get: func(key: string) -> list<u8>`: not what mm-app.wasm needs.
(component
  (import "local:impl/raw" (instance $raw
    (export "get" (func (param "key" string) (result (list u8))))))
  (export "local:kv/store@1.0.0" (instance $raw))
)
