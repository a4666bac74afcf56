package review

import (
	"context"
	"time"

	"github.com/buurtstem/buurtstem/server/model"
)

// IndexOnlyForTest writes inbox entries without counting them: a process
// that died between the two writes of its commit hook.
func (ix *Indexer) IndexOnlyForTest(ctx context.Context, cs []*model.Contribution) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	info, err := ix.session(ctx, cs[0].SessionID)
	if err != nil {
		return err
	}
	return ix.addEntries(ctx, cs[0].SessionID, info, cs, time.Now())
}
