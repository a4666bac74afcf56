package live

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/store/storetest"
)

// BenchmarkGroupCommit measures durable, acknowledged contribution writes
// on the embedded store through the group commit, with 500 writers at
// once, and reports writes per second and the p99 wait.
func BenchmarkGroupCommit(b *testing.B) {
	s := storetest.New(b)
	cm := newCommitter(s)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go cm.run(ctx)
	const writers = 500
	var next atomic.Int64
	lat := make([]time.Duration, b.N)
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					return
				}
				t0 := time.Now()
				out := cm.write(ctx, &model.Contribution{ID: fmt.Sprintf("b%d-%d", w, i), SessionID: "s", PromptID: "p",
					Kind: model.KindFaces, ParticipantID: fmt.Sprint(w), Answer: model.Answer{Face: 3}, Moderation: model.ModApproved,
					CreatedAt: time.Now()})
				if out.Err != nil {
					b.Error(out.Err)
					return
				}
				lat[i] = time.Since(t0)
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(b.N)/el.Seconds(), "writes/s")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99_ms")
}
