package awsapi

import (
	"context"
	"maps"
	"slices"

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

// CreateBucket creates the bucket in the client's region, with Object Lock when asked and with the
// guarantees S3 applies as part of the create (ACLs disabled): no setup call follows for those.
func (c *Clients) CreateBucket(ctx context.Context, name string, objectLock bool) error {
	return c.createBucket(ctx, name, objectLock, bucketGuarantees)
}

// createBucket is CreateBucket with the guarantees gs alone, so tests can leave one out.
func (c *Clients) createBucket(ctx context.Context, name string, objectLock bool, gs []*bucketGuarantee) error {
	in := &s3.CreateBucketInput{
		Bucket:                     aws.String(name),
		ObjectLockEnabledForBucket: aws.Bool(objectLock),
	}
	for _, g := range gs {
		if g.create != nil {
			g.create(in)
		}
	}
	// us-east-1 is the one region S3 refuses to be named as a location constraint.
	if c.Region != "us-east-1" {
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{
			LocationConstraint: s3types.BucketLocationConstraint(c.Region),
		}
	}
	ctx, cancel, err := uninterrupted(ctx)
	if err != nil {
		return err
	}
	defer cancel()
	_, err = c.s3.createBucket(ctx, in)
	return err
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
	if len(in.Tags) > 0 {
		name := aws.String(in.Name)
		steps = append(steps, BucketStep{"s3:PutBucketTagging", func(ctx context.Context) error {
			_, err := c.s3.putBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: name, Tagging: &s3types.Tagging{TagSet: s3Tags(in.Tags)}})
			return err
		}})
	}
	return steps
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
