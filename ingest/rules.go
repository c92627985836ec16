package ingest

import (
	"context"
	"errors"
	"sync"

	"github.com/triaged/triaged/internal/rule"
	"github.com/triaged/triaged/internal/store"
)

// ruleSet is the rule set of one epoch, compiled.
type ruleSet struct {
	epoch int64
	rules []rule.Compiled
}

// ruleCache keeps the rule set ingest matches uploads against. It is
// reloaded when the store says the rules changed (store.ErrRulesChanged),
// so a steady state costs no query per upload.
type ruleCache struct {
	mu  sync.Mutex
	set *ruleSet
}

// get returns the cached rule set, loading it first when there is none or
// reload is set.
func (c *ruleCache) get(ctx context.Context, st *store.Store, reload bool) (*ruleSet, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.set != nil && !reload {
		return c.set, nil
	}
	epoch, rules, err := st.RuleSet(ctx)
	if err != nil {
		return nil, err
	}
	set := &ruleSet{epoch: epoch}
	for _, r := range rules {
		// Rules are checked when saved; one that no longer compiles (a
		// stricter parser) matches nothing rather than stop ingest.
		if c, err := r.Compile(); err == nil {
			set.rules = append(set.rules, c)
		}
	}
	c.set = set
	return set, nil
}

// plain returns the rules without their compiled expressions.
func (s *ruleSet) plain() []rule.Rule {
	out := make([]rule.Rule, len(s.rules))
	for i, c := range s.rules {
		out[i] = c.Rule
	}
	return out
}

// match records in every failing result of b the rules that match it.
func (s *ruleSet) match(b *store.Batch) {
	b.RuleEpoch = s.epoch
	for i := range b.Results {
		r := &b.Results[i]
		r.Rules = nil
		if r.Signature == nil || len(s.rules) == 0 {
			continue
		}
		f := rule.Fields{Repo: b.Repo, Branch: b.Branch, Test: r.Test, Text: r.FailureText, Builder: b.Builder, OS: b.RunnerOS,
			Signature: []string{r.Signature.Hash, r.Signature.Title}}
		for _, c := range s.rules {
			if c.Expr.Match(f) {
				r.Rules = append(r.Rules, store.RuleMatch{RuleID: c.ID, Version: c.Version})
			}
		}
	}
}

// ingestMatched matches b against the rules and stores it, matching it
// again should the rules change between the two.
func (in *Ingester) ingestMatched(ctx context.Context, b store.Batch, respond func(store.Stored, []rule.Rule) (any, error)) ([]byte, bool, error) {
	for attempt := 0; ; attempt++ {
		set, err := in.rules.get(ctx, in.store, attempt > 0)
		if err != nil {
			return nil, false, err
		}
		set.match(&b)
		answer, dup, err := in.store.IngestBatch(ctx, b, func(st store.Stored) (any, error) { return respond(st, set.plain()) })
		if errors.Is(err, store.ErrRulesChanged) && attempt < 5 {
			continue
		}
		return answer, dup, err
	}
}

// applyChunk is how many failures one step of a rule's application reads.
const applyChunk = 2000

// applySteps bounds the steps of one ApplyRules call, so that a long
// application leaves room for the other background work of its loop.
const applySteps = 100

// ApplyRules applies saved rule versions to the failures stored before
// them, a chunk per transaction, until none is pending or it took
// applySteps steps, and returns how many it took. Every replica may run
// it: each step takes an application no other replica holds.
func (in *Ingester) ApplyRules(ctx context.Context) (int, error) {
	steps := 0
	for ctx.Err() == nil && steps < applySteps {
		worked, err := in.store.ApplyRuleStep(ctx, applyChunk, matchFailures)
		if err != nil || !worked {
			return steps, err
		}
		steps++
	}
	return steps, ctx.Err()
}

// matchFailures returns the ids of the failures r matches.
func matchFailures(r rule.Rule, fs []store.Failure) []int64 {
	c, err := r.Compile()
	if err != nil {
		return nil
	}
	var ids []int64
	for _, f := range fs {
		if c.Expr.Match(f.Fields(true)) {
			ids = append(ids, f.ResultID)
		}
	}
	return ids
}
