package awsapi

import (
	"context"
	"iter"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// ListBuckets yields the account's buckets in the clients' region whose names begin with prefix ("" for
// all), each read in full as ReadBucket reads it, in the order S3 lists them. The listing asks S3 for the
// region's buckets and the prefix, and checks both itself too: not every S3-compatible service honours
// those parameters, and where a bucket is comes from the bucket's own read (GetBucketLocation), never from
// the listing. A bucket deleted between the listing and its read is left out. A bucket that cannot be read
// is yielded as an *ItemError and the listing goes on; an error of the listing itself ends it.
func (c *Clients) ListBuckets(ctx context.Context, prefix string) iter.Seq2[*Bucket, error] {
	names := func(yield func(string, error) bool) {
		in := &s3.ListBucketsInput{BucketRegion: aws.String(c.Region)}
		if prefix != "" {
			in.Prefix = aws.String(prefix)
		}
		pages := s3.NewListBucketsPaginator(c.s3.listBuckets, in)
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				yield("", err)
				return
			}
			for _, b := range page.Buckets {
				name := aws.ToString(b.Name)
				// AWS reports each bucket's region in the listing; a bucket it places elsewhere is not read.
				if !strings.HasPrefix(name, prefix) || (b.BucketRegion != nil && aws.ToString(b.BucketRegion) != c.Region) {
					continue
				}
				if !yield(name, nil) {
					return
				}
			}
		}
	}
	return readAhead(ctx, names, listConcurrency, func(name string) string { return name },
		func(ctx context.Context, name string) (*Bucket, bool, error) {
			b, err := c.ReadBucket(ctx, name)
			switch {
			case IsNotFound(err):
				return nil, false, nil
			case err != nil:
				return nil, false, err
			}
			return b, b.Region == c.Region, nil
		})
}
