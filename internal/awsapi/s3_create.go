package awsapi

import (
	"context"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// BucketStep is one call of the bucket's setup, named by its IAM action for error messages.
type BucketStep struct {
	Action string
	run    func(ctx context.Context) error
}

// Run performs the step.
func (s BucketStep) Run(ctx context.Context) error { return s.run(ctx) }

// CreateBucket creates the bucket in the client's region, marked as made by the unfinished create fp (see
// CreatingTag), with Object Lock when asked and with the guarantees S3 applies as part of the create (ACLs
// disabled): no setup call follows for those. The last step of BucketSetup ends the create. It reports
// whether the marker was written with the bucket: when it was not, MarkBucket must be the first step.
func (c *Clients) CreateBucket(ctx context.Context, name string, objectLock bool, fp string) (marked bool, err error) {
	return c.createBucket(ctx, name, objectLock, fp, bucketGuarantees)
}

// createBucket is CreateBucket with the guarantees gs alone, so tests can leave one out.
func (c *Clients) createBucket(ctx context.Context, name string, objectLock bool, fp string, gs []*bucketGuarantee) (bool, error) {
	in := &s3.CreateBucketInput{
		Bucket:                     aws.String(name),
		ObjectLockEnabledForBucket: aws.Bool(objectLock),
		// Tags given to CreateBucket are written with the bucket, so it never exists without the marker.
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{
			Tags: []s3types.Tag{{Key: aws.String(CreatingTag), Value: aws.String(fp)}},
		},
	}
	for _, g := range gs {
		if g.create != nil {
			g.create(in)
		}
	}
	// us-east-1 is the one region S3 refuses to be named as a location constraint.
	if c.Region != "us-east-1" {
		in.CreateBucketConfiguration.LocationConstraint = s3types.BucketLocationConstraint(c.Region)
	}
	ctx, cancel, err := uninterrupted(ctx)
	if err != nil {
		return false, err
	}
	defer cancel()
	_, err = c.s3.createBucket(ctx, in)
	if !IsAccessDenied(err) && code(err) != "NotImplemented" && code(err) != "MalformedXML" {
		return err == nil, err
	}
	// Tags on CreateBucket need s3:TagResource, and S3-compatible services may not take them: create the
	// bucket without, and let MarkBucket mark it at once. When the create itself is what is denied, the
	// second attempt fails the same way, and that error is returned.
	in.CreateBucketConfiguration.Tags = nil
	if in.CreateBucketConfiguration.LocationConstraint == "" {
		in.CreateBucketConfiguration = nil
	}
	_, err = c.s3.createBucket(ctx, in)
	return false, err
}

// MarkBucket is the step that writes the creation marker of the create fp to a bucket CreateBucket could
// not mark as it made it. Only a kill between the two calls leaves the bucket unmarked.
func (c *Clients) MarkBucket(name, fp string) BucketStep {
	return BucketStep{"s3:PutBucketTagging", func(ctx context.Context) error {
		_, err := c.s3.putBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(name),
			Tagging: &s3types.Tagging{TagSet: []s3types.Tag{{Key: aws.String(CreatingTag), Value: aws.String(fp)}}}})
		return err
	}}
}

// BucketSetup returns the calls that turn a new bucket into one that keeps every guarantee, in order: one
// PUT per guarantee CreateBucket does not already write (see bucketSetupOrder), then the tags.
func (c *Clients) BucketSetup(in BucketInput) []BucketStep {
	return c.bucketSetup(in, bucketGuarantees)
}

// bucketSetup is BucketSetup with the guarantees gs alone, so tests can leave one out.
func (c *Clients) bucketSetup(in BucketInput, gs []*bucketGuarantee) []BucketStep {
	var steps []BucketStep
	for _, g := range bucketSetupOrder {
		if !slices.Contains(gs, g) || (g.needed != nil && !g.needed(in)) {
			continue
		}
		steps = append(steps, BucketStep{g.action, func(ctx context.Context) error { return g.put(ctx, c, in) }})
	}
	// The tags come last and replace the creation marker: once they are written, the create is finished.
	name := aws.String(in.Name)
	tags := in.Tags
	if in.AwaitsData {
		tags = maps.Clone(in.Tags)
		if tags == nil {
			tags = map[string]string{}
		}
		tags[MovedFromTag] = awaitingValue(in.Replaces)
	}
	if len(tags) > 0 {
		steps = append(steps, BucketStep{"s3:PutBucketTagging", func(ctx context.Context) error {
			_, err := c.s3.putBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: name, Tagging: &s3types.Tagging{TagSet: s3Tags(tags)}})
			return err
		}})
	} else {
		steps = append(steps, BucketStep{"s3:PutBucketTagging", func(ctx context.Context) error {
			_, err := c.s3.deleteBucketTagging(ctx, &s3.DeleteBucketTaggingInput{Bucket: name})
			return err
		}})
	}
	return steps
}

// BucketCreating returns the fingerprint of the unfinished create that made the bucket, "" when the
// bucket carries no creation marker.
func (c *Clients) BucketCreating(ctx context.Context, name string) (string, error) {
	out, err := c.s3.getBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(name)})
	if missing(err) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	for _, t := range out.TagSet {
		if aws.ToString(t.Key) == CreatingTag {
			return aws.ToString(t.Value), nil
		}
	}
	return "", nil
}

// UnfinishedBucket returns the name of a bucket beginning with prefix that an interrupted create with
// fingerprint fp made and never finished, and takes it out of the pool so no other create finishes it too;
// "" when there is none. The first call for a prefix in a provider process lists the buckets with that
// prefix and reads their tags.
func (c *Clients) UnfinishedBucket(ctx context.Context, prefix, fp string) (string, error) {
	return c.pools.bucketsWithPrefix(prefix).claim(ctx, fp, func(ctx context.Context) ([]Leftover, error) {
		return c.unfinishedBuckets(ctx, prefix)
	})
}

// unfinishedBuckets lists the buckets whose name begins with prefix and that carry the creation marker.
func (c *Clients) unfinishedBuckets(ctx context.Context, prefix string) ([]Leftover, error) {
	candidates, err := c.bucketsWithPrefix(ctx, prefix)
	if err != nil {
		return nil, err
	}
	var mu sync.Mutex
	var found []Leftover
	err = boundedEach(ctx, candidates, func(ctx context.Context, b s3types.Bucket) error {
		fp, err := c.BucketCreating(ctx, aws.ToString(b.Name))
		if err != nil || fp == "" {
			// A bucket whose tags cannot be read (another region, no permission) is not taken.
			return nil //nolint:nilerr // skipping such a bucket is the point
		}
		mu.Lock()
		found = append(found, Leftover{ID: aws.ToString(b.Name), Fingerprint: fp, Created: aws.ToTime(b.CreationDate)})
		mu.Unlock()
		return nil
	})
	return found, err
}

// bucketsWithPrefix lists the account's buckets whose names begin with prefix, page by page.
func (c *Clients) bucketsWithPrefix(ctx context.Context, prefix string) ([]s3types.Bucket, error) {
	var found []s3types.Bucket
	pages := s3.NewListBucketsPaginator(c.s3.listBuckets, &s3.ListBucketsInput{Prefix: aws.String(prefix)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, b := range page.Buckets {
			// Not every S3-compatible service honours Prefix.
			if strings.HasPrefix(aws.ToString(b.Name), prefix) {
				found = append(found, b)
			}
		}
	}
	return found, nil
}

// Created is the bucket that CreateBucket and every step of BucketSetup leave behind in region: what
// ReadBucket would report right after them. It lets a create skip reading back what it has just written;
// a refresh still reads everything, so later drift is still found.
func (in BucketInput) Created(region string) *Bucket {
	return in.created(region, bucketGuarantees)
}

// created is Created with the guarantees gs alone, so tests can leave one out.
func (in BucketInput) created(region string, gs []*bucketGuarantee) *Bucket {
	b := &Bucket{Name: in.Name, Region: region, Tags: maps.Clone(in.Tags)}
	if in.ObjectLock != nil {
		lock := *in.ObjectLock
		b.ObjectLock = &lock
	}
	if b.Tags == nil {
		b.Tags = map[string]string{}
	}
	for _, g := range gs {
		g.created(in, b)
	}
	return b
}
