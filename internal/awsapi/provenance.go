package awsapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"sync"
	"time"
)

// CreatingTag marks a resource whose create the provider has begun and not finished. The call that makes
// the resource writes it (CreateKey's tags, RunInstances' tag specifications, CreateBucket's
// configuration), so no resource the provider makes is ever without it until the create's last call
// removes it. A resource that still carries it was left behind by an apply that stopped in the middle (the
// provider process was killed, the machine went down): its id never reached Terraform's state. The value is
// the create's fingerprint, so that the next create with the same arguments finds the resource and finishes
// it instead of making another one.
const CreatingTag = "gdpr:creating"

// Fingerprint identifies a create by what it would make: the region and everything the create is given.
// Two creates with the same fingerprint make interchangeable resources, so either may finish what the
// other began.
func Fingerprint(region string, what ...any) string {
	b, err := json.Marshal(append([]any{region}, what...))
	if err != nil {
		// Inputs are strings, numbers, booleans, slices and maps of them, which always encode.
		panic(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// unfinished removes the creation marker from tags read from AWS and returns its value, "" when the
// resource carries none. Users never see the marker among a resource's tags.
func unfinished(tags map[string]string) string {
	fp := tags[CreatingTag]
	delete(tags, CreatingTag)
	return fp
}

// processStart is when this provider process began. A resource left half-made by an earlier apply was
// made before it; a younger one is being made right now by another Terraform run, and is not taken.
var processStart = time.Now()

// leftover is a resource an interrupted create left behind, as a lookup found it.
type leftover struct {
	id          string
	fingerprint string
	created     time.Time
}

// leftovers are the resources of one kind (keys, servers, or the buckets of one name prefix) in one region
// that interrupted creates left behind. They are looked up once per provider process, at the first create
// of that kind, and handed out one at a time to the creates whose fingerprint they carry, so that two
// creates of one apply never take the same one.
type leftovers struct {
	once  sync.Once
	err   error
	mu    sync.Mutex
	found []leftover
}

// claim returns the id of a leftover made with fingerprint fp, oldest first, and removes it from the
// pool; "" when there is none. find lists the leftovers; it runs once, with the first caller's context.
func (l *leftovers) claim(ctx context.Context, fp string, find func(context.Context) ([]leftover, error)) (string, error) {
	l.once.Do(func() {
		found, err := find(ctx)
		if err != nil {
			l.err = err
			return
		}
		found = slices.DeleteFunc(found, func(f leftover) bool { return !f.created.Before(processStart) })
		slices.SortStableFunc(found, func(a, b leftover) int { return a.created.Compare(b.created) })
		l.found = found
	})
	if l.err != nil {
		return "", l.err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	i := slices.IndexFunc(l.found, func(f leftover) bool { return f.fingerprint == fp })
	if i < 0 {
		return "", nil
	}
	id := l.found[i].id
	l.found = slices.Delete(l.found, i, i+1)
	return id, nil
}

// leftoverPools holds the pools of one region's clients.
type leftoverPools struct {
	mu      sync.Mutex
	keys    leftovers
	servers leftovers
	buckets map[string]*leftovers // by name prefix
}

// bucketsWithPrefix returns the pool of the buckets whose name begins with prefix.
func (p *leftoverPools) bucketsWithPrefix(prefix string) *leftovers {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.buckets == nil {
		p.buckets = map[string]*leftovers{}
	}
	l, ok := p.buckets[prefix]
	if !ok {
		l = &leftovers{}
		p.buckets[prefix] = l
	}
	return l
}
