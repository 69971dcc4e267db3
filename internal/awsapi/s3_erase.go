package awsapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// The erasure action (gdpr_erase_objects) deletes every version and delete marker of one data subject's
// objects: those under a prefix, or of a list of exact keys. It checks everything before it deletes
// anything, and deletes round by round, so an erasure that stops half-way is finished by the next one.

// EraseScope is what an erasure covers: every key that begins with Prefix, or exactly the Keys. One of the
// two is set; an empty Prefix with no Keys would cover the whole bucket and is refused.
type EraseScope struct {
	Prefix string
	Keys   []string
}

// Erased counts what an erasure deleted: object versions (delete markers not included), delete markers, the
// bytes of the versions, and KeysSHA256, the hex SHA-256 of the distinct keys of everything it deleted,
// sorted by their bytes and joined with newlines (the SHA-256 of nothing when it deleted nothing).
type Erased struct {
	Versions, DeleteMarkers, Bytes int64
	KeysSHA256                     string
}

// EraseSurvey is what the listing before the erasure found: the versions (delete markers not included),
// the delete markers and the bytes of the versions.
type EraseSurvey struct {
	Versions, DeleteMarkers, Bytes int64
}

// HeldObject is an object version that retention or a legal hold keeps from being deleted.
type HeldObject struct {
	Key, VersionID string
	// Mode is the retention in force, COMPLIANCE or GOVERNANCE, with its end; empty for a legal hold alone.
	Mode      string
	Until     time.Time
	LegalHold bool
}

// MaxNamedHeld is how many held versions an ErasureBlockedError names; it counts the rest.
const MaxNamedHeld = 10

// ErasureBlockedError says that versions in the scope are under retention or a legal hold that the
// erasure may not lift, so nothing was deleted. Held names the first MaxNamedHeld in the listing's order;
// Total counts them all.
type ErasureBlockedError struct {
	Held  []HeldObject
	Total int
	// Governance counts the versions held by GOVERNANCE retention alone, which bypass_governance_retention
	// lifts; the others are under COMPLIANCE retention or a legal hold, which nothing lifts.
	Governance int
}

func (e *ErasureBlockedError) Error() string {
	return fmt.Sprintf("%d object version(s), such as %q, are under retention or a legal hold", e.Total, e.Held[0].Key)
}

// EraseError is an erasure that stopped after it began deleting; Erased counts what it deleted before.
type EraseError struct {
	Action string
	Err    error
}

func (e *EraseError) Error() string { return e.Action + ": " + e.Err.Error() }
func (e *EraseError) Unwrap() error { return e.Err }

// eraseBatch is the most versions one DeleteObjects call takes.
const eraseBatch = 1000

// EraseObjects deletes every object version and delete marker in scope from bucket name. First it lists the
// scope page by page (memory does not grow with it), counting what is there, and, when the bucket has
// Object Lock, asks each version's retention and legal hold: a version under COMPLIANCE retention or a legal
// hold, or under GOVERNANCE retention without bypassGovernance, stops the erasure with an
// ErasureBlockedError before anything is deleted. Then it deletes in rounds: each lists the first page of
// what is left and deletes it with DeleteObjects, every version by its id, until nothing is left, so an
// erasure that stopped is finished by calling it again. progress, when set, is called after every batch with
// what has been deleted so far and the survey.
func (c *Clients) EraseObjects(ctx context.Context, name string, scope EraseScope, bypassGovernance bool, now time.Time, progress func(Erased, EraseSurvey)) (Erased, error) {
	e := &eraser{c: c, bucket: name, scope: scope, keys: sha256.New()}
	e.done.KeysSHA256 = hex.EncodeToString(e.keys.Sum(nil))
	if scope.Prefix == "" && len(scope.Keys) == 0 {
		return e.done, &EraseError{Action: "erasing objects", Err: fmt.Errorf("no prefix and no keys: refusing to erase the whole bucket")}
	}
	lock, def, err := c.objectLock(ctx, name)
	if err != nil {
		return e.done, &EraseError{Action: "s3:GetBucketObjectLockConfiguration", Err: err}
	}
	if lock {
		e.def = ObjectLock{}
		if def != nil {
			e.def = *def
		}
	}
	survey, err := e.survey(ctx, lock, bypassGovernance, now)
	if err != nil {
		return e.done, err
	}
	e.bypass = lock && bypassGovernance
	err = e.eraseRounds(ctx, func() {
		if progress != nil {
			progress(e.done, survey)
		}
	})
	return e.done, err
}

// eraser is one EraseObjects call.
type eraser struct {
	c      *Clients
	bucket string
	scope  EraseScope
	def    ObjectLock
	bypass bool
	done   Erased
	// keys hashes the distinct keys deleted so far, in order; last is the last one written to it.
	keys    hash.Hash
	last    string
	started bool
}

// page is one listing page of the scope.
type page struct {
	versions []s3types.ObjectVersion
	markers  []s3types.DeleteMarkerEntry
}

// sortedKeys are the scope's keys, each once, in the order S3 lists them.
func (e *eraser) sortedKeys() []string {
	keys := slices.Clone(e.scope.Keys)
	slices.Sort(keys)
	return slices.Compact(keys)
}

// eachPage calls f for each page of the listing of the scope, continuing from S3's markers: for the survey,
// which deletes nothing while it lists. For keys, a listing by the key as a prefix, kept to that key alone.
func (e *eraser) eachPage(ctx context.Context, f func(page) error) error {
	if len(e.scope.Keys) == 0 {
		pages := s3.NewListObjectVersionsPaginator(e.c.s3.listObjectVersions, &s3.ListObjectVersionsInput{Bucket: aws.String(e.bucket), Prefix: aws.String(e.scope.Prefix)})
		for pages.HasMorePages() {
			out, err := pages.NextPage(ctx)
			if err != nil {
				return &EraseError{Action: "s3:ListBucketVersions", Err: err}
			}
			if err := f(page{out.Versions, out.DeleteMarkers}); err != nil {
				return err
			}
		}
		return nil
	}
	for _, key := range e.sortedKeys() {
		pages := s3.NewListObjectVersionsPaginator(e.c.s3.listObjectVersions, &s3.ListObjectVersionsInput{Bucket: aws.String(e.bucket), Prefix: aws.String(key)})
		for pages.HasMorePages() {
			out, err := pages.NextPage(ctx)
			if err != nil {
				return &EraseError{Action: "s3:ListBucketVersions", Err: err}
			}
			p, other := only(key, out)
			if err := f(p); err != nil {
				return err
			}
			// The key sorts before every longer key it begins, so once another key appears, it is done.
			if other {
				break
			}
		}
	}
	return nil
}

// only keeps the entries of a listing page that are of key exactly, and reports whether the page holds
// entries of other keys.
func only(key string, out *s3.ListObjectVersionsOutput) (p page, other bool) {
	for _, v := range out.Versions {
		if aws.ToString(v.Key) == key {
			p.versions = append(p.versions, v)
		} else {
			other = true
		}
	}
	for _, m := range out.DeleteMarkers {
		if aws.ToString(m.Key) == key {
			p.markers = append(p.markers, m)
		} else {
			other = true
		}
	}
	return p, other
}

// survey lists the scope, counting it, and with Object Lock (lock) checks every version's retention and
// legal hold, eight at a time.
func (e *eraser) survey(ctx context.Context, lock, bypassGovernance bool, now time.Time) (EraseSurvey, error) {
	var s EraseSurvey
	var mu sync.Mutex
	var blocked ErasureBlockedError
	err := e.eachPage(ctx, func(p page) error {
		s.DeleteMarkers += int64(len(p.markers))
		for _, v := range p.versions {
			s.Versions++
			s.Bytes += aws.ToInt64(v.Size)
		}
		if !lock {
			return nil
		}
		locks := make([]versionLock, len(p.versions))
		idx := make([]int, len(p.versions))
		for i := range idx {
			idx[i] = i
		}
		err := boundedEach(ctx, idx, func(ctx context.Context, i int) error {
			l, err := e.c.lockOf(ctx, e.bucket, p.versions[i], e.def, now, true)
			locks[i] = l
			return err
		})
		if err != nil {
			return &EraseError{Action: "s3:GetObjectRetention", Err: err}
		}
		mu.Lock()
		defer mu.Unlock()
		for i, l := range locks {
			governanceOnly := !l.LegalHold && l.Mode == s3types.ObjectLockRetentionModeGovernance
			if !l.LegalHold && l.Mode != s3types.ObjectLockRetentionModeCompliance && (!governanceOnly || bypassGovernance) {
				continue
			}
			blocked.Total++
			if governanceOnly {
				blocked.Governance++
			}
			if len(blocked.Held) < MaxNamedHeld {
				v := p.versions[i]
				blocked.Held = append(blocked.Held, HeldObject{Key: aws.ToString(v.Key), VersionID: aws.ToString(v.VersionId),
					Mode: string(l.Mode), Until: l.Until, LegalHold: l.LegalHold})
			}
		}
		return nil
	})
	if err != nil {
		return s, err
	}
	if blocked.Total > 0 {
		return s, &blocked
	}
	return s, nil
}

// eraseRounds deletes the scope round by round: each lists the first page of what is left, since the round
// before deleted its own page (a listing continued from a marker that was just deleted is not something
// every S3 implementation gets right), and ends when nothing is left. For keys, each key in turn.
func (e *eraser) eraseRounds(ctx context.Context, progress func()) error {
	prefixes := []string{e.scope.Prefix}
	if len(e.scope.Keys) > 0 {
		prefixes = e.sortedKeys()
	}
	for _, prefix := range prefixes {
		// A version the round before deleted and S3 lists again was not deleted: stop, rather than loop.
		var erased map[[2]string]bool
		for {
			out, err := e.c.s3.listObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(e.bucket), Prefix: aws.String(prefix)})
			if err != nil {
				return &EraseError{Action: "s3:ListBucketVersions", Err: err}
			}
			if key, ok := listedAgain(out, erased); ok {
				return &EraseError{Action: "s3:DeleteObjectVersion", Err: fmt.Errorf("%q: %w", key, ErrStillListed)}
			}
			p := page{out.Versions, out.DeleteMarkers}
			if len(e.scope.Keys) > 0 {
				p, _ = only(prefix, out)
			}
			if len(p.versions) == 0 && len(p.markers) == 0 {
				break
			}
			erased = versionIDs(&s3.ListObjectVersionsOutput{Versions: p.versions, DeleteMarkers: p.markers})
			if err := e.erasePage(ctx, p, progress); err != nil {
				return err
			}
		}
	}
	return nil
}

// entry is one version or delete marker to delete.
type entry struct {
	key, version string
	size         int64
	marker       bool
}

// erasePage deletes a page's versions and delete markers, in key order, in batches of up to eraseBatch.
func (e *eraser) erasePage(ctx context.Context, p page, progress func()) error {
	entries := make([]entry, 0, len(p.versions)+len(p.markers))
	for _, v := range p.versions {
		entries = append(entries, entry{aws.ToString(v.Key), aws.ToString(v.VersionId), aws.ToInt64(v.Size), false})
	}
	for _, m := range p.markers {
		entries = append(entries, entry{aws.ToString(m.Key), aws.ToString(m.VersionId), 0, true})
	}
	// Versions and delete markers come in two lists, each in key order; the digest needs one.
	slices.SortStableFunc(entries, func(a, b entry) int {
		switch {
		case a.key < b.key:
			return -1
		case a.key > b.key:
			return 1
		}
		return 0
	})
	for start := 0; start < len(entries); start += eraseBatch {
		batch := entries[start:min(start+eraseBatch, len(entries))]
		ids := make([]s3types.ObjectIdentifier, len(batch))
		for i, b := range batch {
			ids[i] = s3types.ObjectIdentifier{Key: aws.String(b.key), VersionId: aws.String(b.version)}
		}
		in := &s3.DeleteObjectsInput{Bucket: aws.String(e.bucket), Delete: &s3types.Delete{Objects: ids, Quiet: aws.Bool(true)}}
		if e.bypass {
			in.BypassGovernanceRetention = aws.Bool(true)
		}
		out, err := e.c.s3.deleteObjects(ctx, in)
		if err != nil {
			return &EraseError{Action: "s3:DeleteObjectVersion", Err: err}
		}
		failed := map[[2]string]bool{}
		for _, f := range out.Errors {
			failed[[2]string{aws.ToString(f.Key), aws.ToString(f.VersionId)}] = true
		}
		for _, b := range batch {
			if !failed[[2]string{b.key, b.version}] {
				e.count(b)
			}
		}
		progress()
		if len(out.Errors) > 0 {
			f := out.Errors[0]
			return &EraseError{Action: "s3:DeleteObjectVersion", Err: fmt.Errorf("%d of %d deletes failed, the first of %q (version %s): %s %s",
				len(out.Errors), len(batch), aws.ToString(f.Key), aws.ToString(f.VersionId), aws.ToString(f.Code), aws.ToString(f.Message))}
		}
	}
	return nil
}

// count adds a deleted entry to the totals and its key, once, to the digest.
func (e *eraser) count(b entry) {
	if b.marker {
		e.done.DeleteMarkers++
	} else {
		e.done.Versions++
		e.done.Bytes += b.size
	}
	if !e.started || b.key != e.last {
		if e.started {
			e.keys.Write([]byte{'\n'})
		}
		e.keys.Write([]byte(b.key))
		e.last, e.started = b.key, true
	}
	e.done.KeysSHA256 = hex.EncodeToString(e.keys.Sum(nil))
}
