package awsapi

// How a move is recorded in S3 itself: the tags that pair a bucket with its successor, and the lookups that
// find a successor again after an interrupted apply.

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// A bucket replaced with on_replace = "move_data" hands its objects to its successor. Two tags record the
// move in S3 itself, so that a move interrupted at any call is found and finished by the next apply, in
// another process, without anything held in Terraform's state:
//
//   - MovingToTag on the old bucket names the bucket its objects go to. It is written before the first
//     object is copied; the old bucket is never emptied without it.
//   - MovedFromTag on the new bucket names the old one and counts what has arrived, verified, so far. A
//     refresh turns it into moved_from, moved_objects and moved_bytes.
//
// A bucket carries at most one of them, and only after its create has removed CreatingTag, so the provider
// adds one tag at most to the user's: the 49 tags validate.Tags allows stay within S3's 50.
const (
	MovingToTag  = "gdpr:moving-to"
	MovedFromTag = "gdpr:moved-from"
)

// awaitingData is MovedFromTag's value on a bucket created with on_replace = "move_data" before any object
// has arrived. Followed by " bucket=" and a name, it names the bucket whose objects it was created to
// receive (see ReplacedBucket): the create writes it with the bucket's tags, so the pairing of the two
// buckets is in S3 from the moment the create returns, and a move that never began (an apply killed or
// interrupted between the create and the old bucket's delete) is found by the next one (see AwaitingData).
const awaitingData = "awaiting"

// awaitingValue writes MovedFromTag's value for a bucket awaiting the objects of bucket replaces, which is
// "" when the create could not tell which bucket that is.
func awaitingValue(replaces string) string {
	if replaces == "" {
		return awaitingData
	}
	return awaitingData + " bucket=" + replaces
}

// parseAwaiting reads a value awaitingValue wrote; ok is false for any other.
func parseAwaiting(v string) (replaces string, ok bool) {
	if v == awaitingData {
		return "", true
	}
	replaces, ok = strings.CutPrefix(v, awaitingData+" bucket=")
	return replaces, ok && replaces != "" && !strings.ContainsAny(replaces, " =")
}

// Moved is what a move has brought into a bucket: from which bucket, how many current objects and bytes,
// each verified by checksum, and the manifest's digest (see MoveObjects).
type Moved struct {
	From     string
	Objects  int64
	Bytes    int64
	Manifest string
}

// tagValue writes m as MovedFromTag's value, in the characters S3 allows in a tag (at most 256 of them:
// a bucket name is at most 63 and the manifest 64).
func (m Moved) tagValue() string {
	return fmt.Sprintf("bucket=%s objects=%d bytes=%d manifest=%s", m.From, m.Objects, m.Bytes, m.Manifest)
}

// parseMoved reads MovedFromTag's value; ok is false for a value it did not write.
func parseMoved(v string) (m Moved, ok bool) {
	fields := map[string]string{}
	for _, f := range strings.Fields(v) {
		k, val, found := strings.Cut(f, "=")
		if !found {
			return Moved{}, false
		}
		fields[k] = val
	}
	var err1, err2 error
	m.From, m.Manifest = fields["bucket"], fields["manifest"]
	m.Objects, err1 = strconv.ParseInt(fields["objects"], 10, 64)
	m.Bytes, err2 = strconv.ParseInt(fields["bytes"], 10, 64)
	return m, m.From != "" && err1 == nil && err2 == nil
}

// systemTags takes the provider's own move tags out of a bucket's tags, which are otherwise the user's.
func (b *Bucket) systemTags() {
	if v, ok := b.Tags[MovedFromTag]; ok {
		if m, ok := parseMoved(v); ok {
			b.MovedFrom = &m
		}
		_, b.AwaitsData = parseAwaiting(v)
		delete(b.Tags, MovedFromTag)
	}
	if v, ok := b.Tags[MovingToTag]; ok {
		b.MovingTo = v
		delete(b.Tags, MovingToTag)
	}
}

// ReplacedBucket returns the bucket that a bucket created now, with on_replace = "move_data" and a name
// generated from prefix, is taken to replace: the one other bucket whose name isGenerated from prefix and
// that holds objects; "" when there is none, or more than one. A replacement's plan refuses a move when
// another bucket has a name generated from the prefix (see PlanMove), so when the old bucket holds data it is
// that one bucket. Empty buckets do not count: nothing would move out of them, and one may be a bucket this
// one replaces too (a tainted successor), beside the bucket whose data it receives.
func (c *Clients) ReplacedBucket(ctx context.Context, prefix, name string, isGenerated func(string) bool) (string, error) {
	others, err := c.generatedSiblings(ctx, prefix, name, isGenerated)
	if err != nil {
		return "", err
	}
	var mu sync.Mutex
	var full []string
	err = boundedEach(ctx, others, func(ctx context.Context, b s3types.Bucket) error {
		n := aws.ToString(b.Name)
		count, _, err := c.In(aws.ToString(b.BucketRegion)).BucketContents(ctx, n)
		switch {
		case IsNotFound(err):
			return nil
		case err != nil:
			// A bucket that cannot be read may hold data: which bucket this one replaces is then not sure.
			return err
		case count > 0:
			mu.Lock()
			full = append(full, n)
			mu.Unlock()
		}
		return nil
	})
	if err != nil || len(full) != 1 {
		return "", err
	}
	return full[0], nil
}

// Awaiting is a bucket created with on_replace = "move_data" that no object has reached yet, and the
// bucket its create named as the one it replaces ("" when it named none).
type Awaiting struct {
	Name, Replaces string
}

// AwaitingData lists the buckets other than name whose names isGenerated from prefix, that were created to
// receive the objects of a bucket they replace and have received none, sorted by name: where the delete of
// an old bucket that no move was begun for finds its successor.
func (c *Clients) AwaitingData(ctx context.Context, prefix, name string, isGenerated func(string) bool) ([]Awaiting, error) {
	candidates, err := c.generatedSiblings(ctx, prefix, name, isGenerated)
	if err != nil {
		return nil, err
	}
	var mu sync.Mutex
	var found []Awaiting
	err = boundedEach(ctx, candidates, func(ctx context.Context, b s3types.Bucket) error {
		n := aws.ToString(b.Name)
		tags, err := c.In(aws.ToString(b.BucketRegion)).bucketTags(ctx, n)
		if err != nil {
			return nil //nolint:nilerr // a bucket whose tags cannot be read is not named
		}
		replaces, ok := parseAwaiting(tags[MovedFromTag])
		if !ok {
			return nil
		}
		mu.Lock()
		found = append(found, Awaiting{Name: n, Replaces: replaces})
		mu.Unlock()
		return nil
	})
	slices.SortFunc(found, func(a, b Awaiting) int { return strings.Compare(a.Name, b.Name) })
	return found, err
}

// generatedSiblings lists the buckets other than name whose names isGenerated from prefix: a name that merely
// begins with prefix may come from a longer prefix, and so belong to another bucket resource.
func (c *Clients) generatedSiblings(ctx context.Context, prefix, name string, isGenerated func(string) bool) ([]s3types.Bucket, error) {
	buckets, err := c.bucketsWithPrefix(ctx, prefix)
	if err != nil {
		return nil, err
	}
	var siblings []s3types.Bucket
	for _, b := range buckets {
		if n := aws.ToString(b.Name); n != name && isGenerated(n) {
			siblings = append(siblings, b)
		}
	}
	return siblings, nil
}

// MovingTo returns the bucket a move of bucket name's objects goes to, "" when no move has begun.
func (c *Clients) MovingTo(ctx context.Context, name string) (string, error) {
	tags, err := c.bucketTags(ctx, name)
	return tags[MovingToTag], err
}

// bucketTags reads a bucket's tags, none when it has none.
func (c *Clients) bucketTags(ctx context.Context, name string) (map[string]string, error) {
	out, err := c.s3.getBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(name)})
	tags := map[string]string{}
	if missing(err) {
		return tags, nil
	}
	if err != nil {
		return nil, err
	}
	for _, t := range out.TagSet {
		tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return tags, nil
}

// putBucketTags replaces a bucket's tags with tags.
func (c *Clients) putBucketTags(ctx context.Context, name string, tags map[string]string) error {
	_, err := c.s3.putBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(name), Tagging: &s3types.Tagging{TagSet: s3Tags(tags)}})
	return err
}

// MovingElsewhereError says a bucket's objects are already moving to another bucket than the one asked.
type MovingElsewhereError struct{ To string }

func (e *MovingElsewhereError) Error() string {
	return "the objects are already moving to bucket " + e.To
}

// BeginMove marks bucket name as moving its objects to bucket to, keeping its other tags. Nothing is copied
// before it, so a move that stops at any later call is found again from the old bucket. A bucket already
// moving elsewhere is left as it is, with a MovingElsewhereError.
func (c *Clients) BeginMove(ctx context.Context, name, to string) error {
	tags, err := c.bucketTags(ctx, name)
	if err != nil {
		return err
	}
	switch tags[MovingToTag] {
	case to:
		return nil
	case "":
	default:
		return &MovingElsewhereError{To: tags[MovingToTag]}
	}
	tags[MovingToTag] = to
	return c.putBucketTags(ctx, name, tags)
}
