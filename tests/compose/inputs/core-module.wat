;; A core module, which wrt-compose must refuse with a clear message.
(module (func (export "f")))
