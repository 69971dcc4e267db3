package awsapi

import (
	"context"
	"iter"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/rds"
)

// ListDatabases yields the DB instances of the clients' region that carry every tag in tags and whose
// identifier begins with prefix ("" for any), each as ReadDatabase reads it. An instance that cannot be read
// is yielded as an *ItemError and the listing goes on; an error of the listing itself ends it.
//
// DescribeDBInstances reports everything ReadDatabase reads, tags included, and filters by neither tag nor
// prefix, so both are checked here and no instance needs a read of its own. Instances being deleted are
// left out, as ListServers leaves out servers shutting down.
func (c *Clients) ListDatabases(ctx context.Context, tags map[string]string, prefix string) iter.Seq2[*Database, error] {
	return func(yield func(*Database, error) bool) {
		pages := rds.NewDescribeDBInstancesPaginator(c.rds.describeDBInstances, &rds.DescribeDBInstancesInput{})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				yield(nil, err)
				return
			}
			for _, i := range page.DBInstances {
				d := database(i)
				if d.Status == deletingStatus || !strings.HasPrefix(d.Identifier, prefix) || !hasTags(d.Tags, tags) {
					continue
				}
				if !yield(d, nil) {
					return
				}
			}
		}
	}
}
