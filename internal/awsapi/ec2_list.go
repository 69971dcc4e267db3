package awsapi

import (
	"context"
	"iter"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// ListServers yields the instances of the clients' region that are not terminated nor shutting down, that
// carry every tag in tags and whose Name tag begins with namePrefix ("" for any, an instance without a Name
// tag included), each read in full as ReadServer reads it, in the order EC2 lists them. The tags, the
// prefix and the state are filters of DescribeInstances, so EC2 sends only what matches; they are checked
// here too, exactly: EC2 reads * and ? in a filter's value as wildcards, which can only widen its answer,
// and some services ignore a filter. An instance that cannot be read is yielded as an
// *ItemError and the listing goes on; an error of the listing itself ends it.
func (c *Clients) ListServers(ctx context.Context, tags map[string]string, namePrefix string) iter.Seq2[*Server, error] {
	live := []string{
		string(ec2types.InstanceStateNamePending), string(ec2types.InstanceStateNameRunning),
		string(ec2types.InstanceStateNameStopping), string(ec2types.InstanceStateNameStopped),
	}
	filters := []ec2types.Filter{{Name: aws.String("instance-state-name"), Values: live}}
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		filters = append(filters, ec2types.Filter{Name: aws.String("tag:" + k), Values: []string{tags[k]}})
	}
	if namePrefix != "" {
		filters = append(filters, ec2types.Filter{Name: aws.String("tag:Name"), Values: []string{namePrefix + "*"}})
	}
	described := func(yield func(*Server, error) bool) {
		pages := ec2.NewDescribeInstancesPaginator(c.ec2.describeInstances, &ec2.DescribeInstancesInput{Filters: filters})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				yield(nil, err)
				return
			}
			for _, r := range page.Reservations {
				for _, i := range r.Instances {
					s := c.server(aws.ToString(r.OwnerId), i)
					if !slices.Contains(live, s.State) || !strings.HasPrefix(s.Tags["Name"], namePrefix) || !hasTags(s.Tags, tags) {
						continue
					}
					if !yield(s, nil) {
						return
					}
				}
			}
		}
	}
	return readAhead(ctx, described, listConcurrency, func(s *Server) string { return s.ID },
		func(ctx context.Context, s *Server) (*Server, bool, error) {
			err := c.ReadServerDetails(ctx, s)
			if IsNotFound(err) {
				return nil, false, nil
			}
			return s, err == nil, err
		})
}

// hasTags reports whether have holds every tag of want with the same value.
func hasTags(have, want map[string]string) bool {
	for k, v := range want {
		if got, ok := have[k]; !ok || got != v {
			return false
		}
	}
	return true
}
