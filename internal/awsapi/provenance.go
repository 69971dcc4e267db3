package awsapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
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
		// Inputs are strings, numbers, booleans, and slices, maps and pointers of them, which always
		// encode. Should one not, the create still gets a marker, one no later create will match.
		b = fmt.Appendf(nil, "%s %v %v", region, what, err)
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

// Leftover is a resource an interrupted create left behind, as a lookup found it: its id (the key id,
// bucket name or instance id), the fingerprint of the create that made it, and when it was made.
type Leftover struct {
	ID          string
	Fingerprint string
	Created     time.Time
}

// leftovers are the resources of one kind (keys, servers, or the buckets of one name prefix) in one region
// that interrupted creates left behind. They are looked up once per provider process, at the first create
// (or plan of one) of that kind, and handed out one at a time to the creates whose fingerprint they carry,
// so that two creates of one apply never take the same one.
type leftovers struct {
	once     sync.Once
	err      error
	mu       sync.Mutex
	found    []Leftover // not taken by a create yet
	all      []Leftover // as the lookup found them
	promised []string   // ids a plan told a create it finishes
	reported bool
}

// load runs find once, with the first caller's context, keeping what earlier provider processes made.
func (l *leftovers) load(ctx context.Context, find func(context.Context) ([]Leftover, error)) error {
	l.once.Do(func() {
		found, err := find(ctx)
		if err != nil {
			l.err = err
			return
		}
		found = slices.DeleteFunc(found, func(f Leftover) bool { return !f.Created.Before(processStart) })
		slices.SortStableFunc(found, func(a, b Leftover) int { return a.Created.Compare(b.Created) })
		l.found, l.all = found, slices.Clone(found)
	})
	return l.err
}

// claim returns the id of a leftover made with fingerprint fp, oldest first, and removes it from the
// pool; "" when there is none.
func (l *leftovers) claim(ctx context.Context, fp string, find func(context.Context) ([]Leftover, error)) (string, error) {
	if err := l.load(ctx, find); err != nil {
		return "", err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	i := slices.IndexFunc(l.found, func(f Leftover) bool { return f.Fingerprint == fp })
	if i < 0 {
		return "", nil
	}
	id := l.found[i].ID
	l.found = slices.Delete(l.found, i, i+1)
	return id, nil
}

// promise returns the id of a leftover made with fingerprint fp that no planned create was told of yet,
// oldest first, so that each planned create is told of its own; "" when there is none. Unlike claim it
// takes nothing from the pool: Terraform plans every create again in the process that applies it, and the
// create must still find its leftover there.
func (l *leftovers) promise(ctx context.Context, fp string, find func(context.Context) ([]Leftover, error)) (string, error) {
	if err := l.load(ctx, find); err != nil {
		return "", err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	i := slices.IndexFunc(l.found, func(f Leftover) bool {
		return f.Fingerprint == fp && !slices.Contains(l.promised, f.ID)
	})
	if i < 0 {
		return "", nil
	}
	l.promised = append(l.promised, l.found[i].ID)
	return l.found[i].ID, nil
}

// report returns every leftover the lookup found, the first time it is called in a provider process, and
// nothing afterwards: a plan names them once, however many creates of that kind it holds.
func (l *leftovers) report(ctx context.Context, find func(context.Context) ([]Leftover, error)) ([]Leftover, error) {
	if err := l.load(ctx, find); err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.reported {
		return nil, nil
	}
	l.reported = true
	return slices.Clone(l.all), nil
}

// LeftBehind is what a plan learns about one kind of resource that interrupted creates left in the region.
type LeftBehind struct {
	// New lists every leftover of the kind the first time a plan asks in this provider process, nil after.
	New []Leftover
	// Mine is the id of one of them made with the fingerprint asked about, which the create finishes; ""
	// when there is none, or the fingerprint is not known at plan. Each planned create is told of its own,
	// as each create at apply takes its own.
	Mine string
}

// KeysLeftBehind tells a plan about the keys interrupted creates left in the region (see LeftBehind).
func (c *Clients) KeysLeftBehind(ctx context.Context, fp string) (LeftBehind, error) {
	return leftBehind(ctx, &c.pools.keys, fp, c.unfinishedKeys)
}

// ServersLeftBehind tells a plan about the instances interrupted creates left in the region.
func (c *Clients) ServersLeftBehind(ctx context.Context, fp string) (LeftBehind, error) {
	return leftBehind(ctx, &c.pools.servers, fp, c.unfinishedServers)
}

// BucketsLeftBehind tells a plan about the buckets with prefix that interrupted creates left.
func (c *Clients) BucketsLeftBehind(ctx context.Context, prefix, fp string) (LeftBehind, error) {
	return leftBehind(ctx, c.pools.bucketsWithPrefix(prefix), fp, func(ctx context.Context) ([]Leftover, error) {
		return c.unfinishedBuckets(ctx, prefix)
	})
}

func leftBehind(ctx context.Context, l *leftovers, fp string, find func(context.Context) ([]Leftover, error)) (LeftBehind, error) {
	var lb LeftBehind
	var err error
	if fp != "" {
		if lb.Mine, err = l.promise(ctx, fp, find); err != nil {
			return lb, err
		}
	}
	lb.New, err = l.report(ctx, find)
	return lb, err
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
