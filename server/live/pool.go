package live

import "sync"

// syncPool adapts sync.Pool to websocket.BufferPool, so that write buffers
// are held only while a message is being written.
type syncPool struct{ p sync.Pool }

func (s *syncPool) Get() any  { return s.p.Get() }
func (s *syncPool) Put(v any) { s.p.Put(v) }
