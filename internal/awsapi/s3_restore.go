package awsapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"golang.org/x/sync/errgroup"
)

// The restore action (gdpr_restore_objects) returns the keys under a prefix to what they held at a moment,
// by adding versions and never removing one: a key whose version at that moment is no longer current gets a
// server-side copy of it as a new current version, and a key that did not exist then gets a delete marker.
// Every version stays, so a restore can itself be undone. The action first lists the scope and decides every
// key without writing, so whatever would stop it (a version the lifecycle may have expired, a version S3
// cannot copy) stops it before the first write; then it lists the scope again and writes page by page,
// deciding each key afresh, so a restore that stopped part-way is finished by the next one, which finds the
// keys it changed already right.

// RestoreCounts counts the keys of a restore by what it does to them.
type RestoreCounts struct {
	// Restored are the keys whose version at the moment is made current again by a copy.
	Restored int64
	// Hidden are the keys that did not exist at the moment and are hidden behind a delete marker.
	Hidden int64
	// Unchanged are the keys that already hold what they held at the moment.
	Unchanged int64
}

// Restored is what a restore changed: the counts, and KeysSHA256, the hex SHA-256 of the distinct keys it
// restored or hid, sorted by their bytes and joined with newlines (the SHA-256 of nothing when it changed
// nothing).
type Restored struct {
	RestoreCounts
	KeysSHA256 string
}

// BlockReason says why a key cannot be returned to the moment.
type BlockReason int

const (
	// MayBeExpired is a key with no version at or before the moment whose oldest surviving version is older
	// than a lifecycle rule's noncurrent expiration: the version before it, which the key may have held at
	// the moment, may have been expired, so the restore cannot know the key did not exist then.
	MayBeExpired BlockReason = iota
	// Archived is a version at the moment in an archive storage class without a completed restore, which S3
	// does not copy.
	Archived
	// CustomerKey is a version at the moment encrypted with a customer-provided key (SSE-C), which S3 copies
	// only for a request that carries the key.
	CustomerKey
)

// BlockedKey is a key a restore cannot return to the moment, and why.
type BlockedKey struct {
	Key    string
	Reason BlockReason
	// VersionID and Modified name the version concerned: the oldest surviving version for MayBeExpired,
	// the version at the moment otherwise.
	VersionID string
	Modified  time.Time
	// StorageClass is the archived version's storage class.
	StorageClass string
	// Rule and Days are the lifecycle rule that may have expired the version before, and its noncurrent
	// expiration; ExpiredSince is when that version, had it existed, would have been expired.
	Rule         string
	Days         int32
	ExpiredSince time.Time
}

// MaxNamedBlocked is how many keys a RestoreBlockedError names; it counts the rest.
const MaxNamedBlocked = 10

// RestoreBlockedError says that keys in the scope cannot be returned to the moment, so nothing was written.
// Keys names the first MaxNamedBlocked in the listing's order; Total counts them all.
type RestoreBlockedError struct {
	Keys  []BlockedKey
	Total int
}

func (e *RestoreBlockedError) Error() string {
	return fmt.Sprintf("%d key(s), such as %q, cannot be returned to the moment", e.Total, e.Keys[0].Key)
}

// add counts a blocked key, naming it while fewer than MaxNamedBlocked are named.
func (e *RestoreBlockedError) add(b BlockedKey) {
	e.Total++
	if len(e.Keys) < MaxNamedBlocked {
		e.Keys = append(e.Keys, b)
	}
}

// RestoreError is a restore that stopped; Restored counts what it changed before.
type RestoreError struct {
	// Key names the object the restore stopped at, when it stopped at one.
	Key    string
	Action string
	Err    error
}

func (e *RestoreError) Error() string {
	if e.Key != "" {
		return fmt.Sprintf("%s of object %q: %v", e.Action, e.Key, e.Err)
	}
	return e.Action + ": " + e.Err.Error()
}

func (e *RestoreError) Unwrap() error { return e.Err }

// ErrNotVersioned is a bucket whose versioning is not enabled: a copy would overwrite its current object and a
// delete would erase it, so a restore would erase data.
var ErrNotVersioned = errors.New("the bucket's versioning is not enabled")

// ErrNoKMSKey is a bucket that names no default KMS key, under which a restore encrypts the versions it
// makes current again.
var ErrNoKMSKey = errors.New("the bucket has no default KMS key")

// SurveyRestore lists every version and delete marker under prefix in bucket name (the whole bucket for "")
// once, page by page, and decides for each key what returning it to the moment to takes, without writing:
// the counts, or a *RestoreBlockedError naming the keys that cannot be returned to it. A key whose current
// version differs from its version at the moment is compared with it (a HEAD of each, and a read of both when
// they have no checksum to compare), so a key that an earlier restore returned counts as unchanged.
func (c *Clients) SurveyRestore(ctx context.Context, name, prefix string, to, now time.Time) (RestoreCounts, error) {
	r, err := c.newRestorer(ctx, name, prefix, to, now)
	if err != nil {
		return RestoreCounts{}, err
	}
	var counts RestoreCounts
	var blocked RestoreBlockedError
	err = r.eachPage(ctx, func(keys []keyHistory) error {
		plans, err := r.classify(ctx, keys)
		if err != nil {
			return err
		}
		for _, p := range plans {
			switch p.step {
			case restoreKeep:
				counts.Unchanged++
			case restoreCopy:
				counts.Restored++
			case restoreHide:
				counts.Hidden++
			case restoreBlocked:
				blocked.add(*p.blocked)
			}
		}
		return nil
	})
	if err != nil {
		return counts, err
	}
	if blocked.Total > 0 {
		return counts, &blocked
	}
	return counts, nil
}

// RestoreObjects returns every key under prefix in bucket name to what it held at the moment to: it lists
// the scope again, page by page, decides each key as SurveyRestore does, and writes each page's changes: the
// copies, MoveConcurrency at a time, each verified by checksum and encrypted under the bucket's default KMS
// key, and the delete markers in one DeleteObjects call (without version ids, so S3 adds markers and deletes
// nothing). A key found blocked stops it with a *RestoreError. progress, when set, is called after each page
// with what has been done so far. A restore that stops returns what it changed before, and the next call
// finishes it.
func (c *Clients) RestoreObjects(ctx context.Context, name, prefix string, to, now time.Time, progress func(RestoreCounts)) (Restored, error) {
	var done Restored
	keys := sha256.New()
	done.KeysSHA256 = hex.EncodeToString(keys.Sum(nil))
	r, err := c.newRestorer(ctx, name, prefix, to, now)
	if err != nil {
		return done, err
	}
	w := &restoreWriter{r: r, done: &done, keys: keys}
	err = r.eachPage(ctx, func(page []keyHistory) error {
		plans, err := r.classify(ctx, page)
		if err != nil {
			return err
		}
		err = w.write(ctx, plans)
		if progress != nil {
			progress(done.RestoreCounts)
		}
		return err
	})
	return done, err
}

// restorer is one pass of a restore over its scope.
type restorer struct {
	c       *Clients
	bucket  string
	prefix  string
	to, now time.Time
	rules   []expiryRule
	// mover is the object engine, copying within the bucket: a version of a key onto the key itself.
	mover *mover
}

// newRestorer reads what a restore needs of the bucket: that its versioning is enabled, its lifecycle rules
// that expire noncurrent versions, and its default KMS key, under which every copy is encrypted.
func (c *Clients) newRestorer(ctx context.Context, name, prefix string, to, now time.Time) (*restorer, error) {
	r := &restorer{c: c, bucket: name, prefix: prefix, to: to, now: now}
	var key string
	err := concurrently(ctx,
		func(ctx context.Context) error {
			out, err := c.s3.getBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(name)})
			if err != nil {
				return &RestoreError{Action: "s3:GetBucketVersioning", Err: err}
			}
			if out.Status != s3types.BucketVersioningStatusEnabled {
				return &RestoreError{Action: "s3:GetBucketVersioning", Err: ErrNotVersioned}
			}
			return nil
		},
		func(ctx context.Context) error {
			lc, err := c.s3.getBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String(name)})
			switch {
			case missing(err):
			case err != nil:
				return &RestoreError{Action: "s3:GetLifecycleConfiguration", Err: err}
			default:
				r.rules = expiryRules(lc.Rules)
			}
			return nil
		},
		func(ctx context.Context) (err error) {
			key, err = c.defaultKMSKey(ctx, name)
			if err == nil && key == "" {
				err = ErrNoKMSKey
			}
			if err != nil {
				return &RestoreError{Action: "s3:GetEncryptionConfiguration", Err: err}
			}
			return nil
		},
	)
	if err != nil {
		return nil, err
	}
	r.mover = &mover{src: c, dst: c, from: name, to: name, key: key}
	return r, nil
}

// versionEntry is one version or delete marker of a key, as a listing gives it.
type versionEntry struct {
	id       string
	modified time.Time
	latest   bool
	marker   bool
	// archived says the version is in an archive storage class without a completed restore.
	archived     bool
	storageClass string
}

// keyHistory is what a restore needs of one key's versions and delete markers, however many it has: its
// current entry, its entry at the moment (the newest at or before it; nil when every entry is newer) and its
// oldest surviving entry.
type keyHistory struct {
	key                     string
	current, target, oldest *versionEntry
}

// add takes one entry of the key into account. Entries may come in any order: a listing gives versions and
// delete markers in two lists, and a key's entries may span pages.
func (h *keyHistory) add(e versionEntry, to time.Time) {
	if e.latest || h.current == nil || (!h.current.latest && e.modified.After(h.current.modified)) {
		h.current = &e
	}
	if !e.modified.After(to) && (h.target == nil || newer(e, *h.target)) {
		h.target = &e
	}
	if h.oldest == nil || e.modified.Before(h.oldest.modified) {
		h.oldest = &e
	}
}

// newer reports whether entry a came after entry b. S3 gives LastModified to the second, and the order it
// lists a key's entries in is lost when a listing splits them into versions and delete markers; so, within
// one second, the current entry is the newest, and otherwise a delete marker counts as newer than a version:
// of the two readings, the restore then hides a key rather than bring back data that may have been deleted.
func newer(a, b versionEntry) bool {
	switch {
	case a.modified.After(b.modified):
		return true
	case a.modified.Before(b.modified):
		return false
	case a.latest != b.latest:
		return a.latest
	}
	return a.marker && !b.marker
}

// expiryRule is an enabled lifecycle rule that expires noncurrent versions of the keys it may match.
type expiryRule struct {
	id     string
	prefix string
	days   int32
}

// expiryRules keeps, of a bucket's lifecycle rules, the enabled ones that expire noncurrent versions. A rule
// that also filters by tag or size counts as matching every key under its prefix, since the tags and size of
// a version that may be gone cannot be known.
func expiryRules(rules []s3types.LifecycleRule) []expiryRule {
	var out []expiryRule
	for _, r := range rules {
		if r.Status != s3types.ExpirationStatusEnabled || r.NoncurrentVersionExpiration == nil ||
			aws.ToInt32(r.NoncurrentVersionExpiration.NoncurrentDays) <= 0 {
			continue
		}
		prefix := aws.ToString(r.Prefix) //nolint:staticcheck // Prefix is how older rules scope themselves.
		if f := r.Filter; f != nil {
			prefix = aws.ToString(f.Prefix)
			if f.And != nil {
				prefix = aws.ToString(f.And.Prefix)
			}
		}
		out = append(out, expiryRule{id: aws.ToString(r.ID), prefix: prefix, days: aws.ToInt32(r.NoncurrentVersionExpiration.NoncurrentDays)})
	}
	return out
}

// restoreStep is what a restore does to one key.
type restoreStep int

const (
	// restoreKeep leaves a key that already holds what it held at the moment.
	restoreKeep restoreStep = iota
	// restoreCopy makes the key's version at the moment current again, unless its current version already
	// holds the same content.
	restoreCopy
	// restoreHide adds a delete marker to a key that did not exist at the moment.
	restoreHide
	// restoreBlocked is a key the restore cannot return to the moment.
	restoreBlocked
)

// decideRestore decides what returning one key to the moment to takes, from its listing alone, at time now:
//   - no entry at or before the moment, and a lifecycle rule matching the key whose noncurrent expiration has
//     passed since its oldest surviving entry was written: blocked, since the version before that one may
//     have been expired (MayBeExpired);
//   - no entry at or before the moment, or a delete marker there: the key did not exist; kept when its
//     current entry is a delete marker, hidden otherwise;
//   - a version there: kept when it is the current one, blocked when it is archived (Archived), copied
//     otherwise (the copy itself first compares contents, see classify).
func decideRestore(h keyHistory, rules []expiryRule, now time.Time) (restoreStep, *BlockedKey) {
	if h.target == nil {
		if rule, ok := soonestExpiry(rules, h.key); ok {
			since := h.oldest.modified.Add(time.Duration(rule.days) * 24 * time.Hour)
			if since.Before(now) {
				return restoreBlocked, &BlockedKey{Key: h.key, Reason: MayBeExpired, VersionID: h.oldest.id,
					Modified: h.oldest.modified, Rule: rule.id, Days: rule.days, ExpiredSince: since}
			}
		}
	}
	switch t := h.target; {
	case t == nil || t.marker:
		if h.current.marker {
			return restoreKeep, nil
		}
		return restoreHide, nil
	case t.id == h.current.id && !h.current.marker:
		return restoreKeep, nil
	case t.archived:
		return restoreBlocked, &BlockedKey{Key: h.key, Reason: Archived, VersionID: t.id, Modified: t.modified, StorageClass: t.storageClass}
	}
	return restoreCopy, nil
}

// soonestExpiry returns, of the rules whose prefix key begins with, the one that expires noncurrent versions
// soonest.
func soonestExpiry(rules []expiryRule, key string) (expiryRule, bool) {
	var found expiryRule
	ok := false
	for _, r := range rules {
		if strings.HasPrefix(key, r.prefix) && (!ok || r.days < found.days) {
			found, ok = r, true
		}
	}
	return found, ok
}

// eachPage lists the scope once, page by page, and calls f with the keys each page completes, in the
// listing's order: the last key of a page may go on in the next, so it is passed on with that page. Memory
// holds one page and the three entries of that key, however many versions it has. The changes f writes for
// the keys it is given go to keys before the listing's marker, so the listing goes on past them unchanged.
func (r *restorer) eachPage(ctx context.Context, f func([]keyHistory) error) error {
	in := &s3.ListObjectVersionsInput{Bucket: aws.String(r.bucket), OptionalObjectAttributes: withRestoreStatus}
	if r.prefix != "" {
		in.Prefix = aws.String(r.prefix)
	}
	pages := s3.NewListObjectVersionsPaginator(r.c.s3.listObjectVersions, in)
	var open *keyHistory
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			return &RestoreError{Action: "s3:ListBucketVersions", Err: err}
		}
		var done []keyHistory
		for _, e := range pageEntries(out) {
			if open != nil && open.key != e.key {
				done = append(done, *open)
				open = nil
			}
			if open == nil {
				open = &keyHistory{key: e.key}
			}
			open.add(e.versionEntry, r.to)
		}
		if len(done) > 0 {
			if err := f(done); err != nil {
				return err
			}
		}
	}
	if open != nil {
		return f([]keyHistory{*open})
	}
	return nil
}

// keyedEntry is an entry with its key.
type keyedEntry struct {
	key string
	versionEntry
}

// pageEntries merges a listing page's versions and delete markers into one list in key order.
func pageEntries(out *s3.ListObjectVersionsOutput) []keyedEntry {
	entries := make([]keyedEntry, 0, len(out.Versions)+len(out.DeleteMarkers))
	for _, v := range out.Versions {
		entries = append(entries, keyedEntry{aws.ToString(v.Key), versionEntry{
			id: aws.ToString(v.VersionId), modified: aws.ToTime(v.LastModified), latest: aws.ToBool(v.IsLatest),
			archived: archivedVersion(v), storageClass: string(v.StorageClass),
		}})
	}
	for _, m := range out.DeleteMarkers {
		entries = append(entries, keyedEntry{aws.ToString(m.Key), versionEntry{
			id: aws.ToString(m.VersionId), modified: aws.ToTime(m.LastModified), latest: aws.ToBool(m.IsLatest), marker: true,
		}})
	}
	slices.SortStableFunc(entries, func(a, b keyedEntry) int { return strings.Compare(a.key, b.key) })
	return entries
}

// keyPlan is what a restore does to one key, with the HEAD of its version at the moment for a copy.
type keyPlan struct {
	key     string
	step    restoreStep
	blocked *BlockedKey
	version string
	src     object
}

// classify decides each key of a page. A key to copy is asked about, MoveConcurrency at a time: its
// version at the moment with a HEAD (blocked when S3 would not copy it: a customer-provided key, or an
// Intelligent-Tiering archive tier, which no listing shows), and then compared with the current version,
// which, holding the same content, headers and key, leaves the key unchanged.
func (r *restorer) classify(ctx context.Context, keys []keyHistory) ([]keyPlan, error) {
	plans := make([]keyPlan, len(keys))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(MoveConcurrency)
	for i, h := range keys {
		step, blocked := decideRestore(h, r.rules, r.now)
		plans[i] = keyPlan{key: h.key, step: step, blocked: blocked}
		if step != restoreCopy {
			continue
		}
		version := h.target.id
		plans[i].version = version
		g.Go(func() error {
			src, found, err := r.c.head(gctx, r.bucket, h.key, version)
			switch {
			case needsCustomerKey(err):
				plans[i].step, plans[i].blocked = restoreBlocked, &BlockedKey{Key: h.key, Reason: CustomerKey, VersionID: version, Modified: h.target.modified}
				return nil
			case err == nil && !found:
				err = errors.New("the object version is gone")
			}
			if err != nil {
				return &RestoreError{Key: h.key, Action: "s3:GetObjectVersion (HeadObject)", Err: err}
			}
			if src.archived {
				plans[i].step, plans[i].blocked = restoreBlocked, &BlockedKey{Key: h.key, Reason: Archived, VersionID: version,
					Modified: h.target.modified, StorageClass: string(src.storageClass)}
				return nil
			}
			// A new current version takes the bucket's default retention, as any write does.
			src.lockMode, src.lockUntil = "", nil
			plans[i].src = src
			if h.current.marker {
				return nil
			}
			same, _, err := r.mover.present(gctx, h.key, version, src)
			if err != nil {
				return &RestoreError{Key: h.key, Action: "comparing with the current version", Err: err}
			}
			if same {
				plans[i].step = restoreKeep
			}
			return nil
		})
	}
	return plans, g.Wait()
}

// restoreWriter writes the plans of one RestoreObjects call and keeps its totals.
type restoreWriter struct {
	r    *restorer
	mu   sync.Mutex
	done *Restored
	// keys hashes the distinct keys changed so far, in order; started says one has been written.
	keys    hash.Hash
	started bool
}

// write carries out one page's plans: a blocked key stops it before the page's first write; then the copies,
// MoveConcurrency at a time, and the delete markers in one call. The keys it changed join the digest in
// their sorted order, which, page after page, is the order of all of them.
func (w *restoreWriter) write(ctx context.Context, plans []keyPlan) error {
	var blocked RestoreBlockedError
	for _, p := range plans {
		if p.step == restoreBlocked {
			blocked.add(*p.blocked)
		}
	}
	if blocked.Total > 0 {
		return &RestoreError{Key: blocked.Keys[0].Key, Action: "checking the versions to restore", Err: &blocked}
	}
	var changed []string
	defer func() {
		slices.Sort(changed)
		for _, k := range changed {
			if w.started {
				w.keys.Write([]byte{'\n'})
			}
			w.keys.Write([]byte(k))
			w.started = true
		}
		w.done.KeysSHA256 = hex.EncodeToString(w.keys.Sum(nil))
	}()
	// A failed copy stops the copies not yet begun, but lets those under way finish, so that every copy S3
	// made is counted in the event: their context is not cancelled with the first error.
	var g errgroup.Group
	g.SetLimit(MoveConcurrency)
	var failed atomic.Bool
	var hide []s3types.ObjectIdentifier
	for _, p := range plans {
		switch p.step {
		case restoreKeep:
			w.done.Unchanged++
		case restoreHide:
			hide = append(hide, s3types.ObjectIdentifier{Key: aws.String(p.key)})
		case restoreCopy:
			g.Go(func() error {
				if failed.Load() {
					return nil
				}
				if _, err := w.r.mover.copyVerified(ctx, p.key, p.version, p.src); err != nil {
					failed.Store(true)
					var moveErr *MoveError
					if errors.As(err, &moveErr) {
						return &RestoreError{Key: p.key, Action: moveErr.Action, Err: moveErr.Err}
					}
					return &RestoreError{Key: p.key, Action: "s3:PutObject (CopyObject)", Err: err}
				}
				w.mu.Lock()
				defer w.mu.Unlock()
				w.done.Restored++
				changed = append(changed, p.key)
				return nil
			})
		}
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if len(hide) == 0 {
		return nil
	}
	// No version id: S3 adds a delete marker to each key and deletes nothing, under Object Lock too.
	out, err := w.r.c.s3.deleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(w.r.bucket),
		Delete: &s3types.Delete{Objects: hide, Quiet: aws.Bool(true)}})
	if err != nil {
		return &RestoreError{Action: "s3:DeleteObject (DeleteObjects)", Err: err}
	}
	refused := map[string]bool{}
	for _, f := range out.Errors {
		refused[aws.ToString(f.Key)] = true
	}
	for _, id := range hide {
		if !refused[aws.ToString(id.Key)] {
			w.done.Hidden++
			changed = append(changed, aws.ToString(id.Key))
		}
	}
	if len(out.Errors) > 0 {
		f := out.Errors[0]
		return &RestoreError{Key: aws.ToString(f.Key), Action: "s3:DeleteObject (DeleteObjects)",
			Err: fmt.Errorf("%d of %d delete markers failed: %s %s", len(out.Errors), len(hide), aws.ToString(f.Code), aws.ToString(f.Message))}
	}
	return nil
}
