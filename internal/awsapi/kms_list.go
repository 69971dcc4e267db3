package awsapi

import (
	"context"
	"iter"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// ListKeys yields the customer-managed keys of the clients' region whose description begins with prefix
// ("" for all), each read in full as ReadKey reads it, in the order KMS lists them. Keys that AWS services
// manage for themselves are left out, and so are keys pending deletion: they can no longer protect data
// nor be imported, and their material is going. Only DescribeKey is asked of a key left out. A key deleted
// between the listing and its read is left out too. A key that cannot be read is yielded as an
// *ItemError and the listing goes on; an error of the listing itself ends it.
func (c *Clients) ListKeys(ctx context.Context, prefix string) iter.Seq2[*Key, error] {
	ids := func(yield func(string, error) bool) {
		pages := kms.NewListKeysPaginator(c.kms.listKeys, &kms.ListKeysInput{})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				yield("", err)
				return
			}
			for _, k := range page.Keys {
				if !yield(aws.ToString(k.KeyId), nil) {
					return
				}
			}
		}
	}
	return readAhead(ctx, ids, listConcurrency, func(id string) string { return id },
		func(ctx context.Context, id string) (*Key, bool, error) {
			out, err := c.kms.describeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})
			switch {
			case IsNotFound(err):
				return nil, false, nil
			case err != nil:
				return nil, false, err
			}
			k := keyFromMetadata(out.KeyMetadata)
			deleting := k.PendingDeletion() || k.State == string(kmstypes.KeyStatePendingReplicaDeletion)
			if k.AWSManaged || deleting || !strings.HasPrefix(k.Description, prefix) {
				return nil, false, nil
			}
			if err := c.readKeyDetails(ctx, k); err != nil {
				if IsNotFound(err) {
					return nil, false, nil
				}
				return nil, false, err
			}
			return k, true, nil
		})
}
