package awsapi

import (
	"context"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/smithy-go"
)

// ReadDatabase describes the DB instance; IsNotFound(err) when there is none.
func (c *Clients) ReadDatabase(ctx context.Context, identifier string) (*Database, error) {
	out, err := c.rds.describeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(identifier)})
	if err != nil {
		return nil, err
	}
	return describedDatabase(identifier, out)
}

// describedDatabase takes the instance out of a DescribeDBInstances answer; an empty answer is a not-found
// error, as RDS itself answers for an identifier it does not know.
func describedDatabase(identifier string, out *rds.DescribeDBInstancesOutput) (*Database, error) {
	for _, i := range out.DBInstances {
		if strings.EqualFold(aws.ToString(i.DBInstanceIdentifier), identifier) {
			return database(i), nil
		}
	}
	return nil, &smithy.GenericAPIError{Code: "DBInstanceNotFound", Message: "DB instance " + identifier + " not found"}
}

// database translates an instance description.
func database(i rdstypes.DBInstance) *Database {
	d := &Database{
		Identifier:              aws.ToString(i.DBInstanceIdentifier),
		ARN:                     aws.ToString(i.DBInstanceArn),
		ResourceID:              aws.ToString(i.DbiResourceId),
		Status:                  aws.ToString(i.DBInstanceStatus),
		Engine:                  aws.ToString(i.Engine),
		EngineVersion:           aws.ToString(i.EngineVersion),
		InstanceClass:           aws.ToString(i.DBInstanceClass),
		AllocatedStorageGiB:     aws.ToInt32(i.AllocatedStorage),
		StorageEncrypted:        aws.ToBool(i.StorageEncrypted),
		KMSKeyID:                aws.ToString(i.KmsKeyId),
		PubliclyAccessible:      aws.ToBool(i.PubliclyAccessible),
		DeletionProtection:      aws.ToBool(i.DeletionProtection),
		AutoMinorVersionUpgrade: aws.ToBool(i.AutoMinorVersionUpgrade),
		IAMAuthentication:       aws.ToBool(i.IAMDatabaseAuthenticationEnabled),
		CopyTagsToSnapshot:      aws.ToBool(i.CopyTagsToSnapshot),
		MasterUsername:          aws.ToString(i.MasterUsername),
		BackupRetentionDays:     aws.ToInt32(i.BackupRetentionPeriod),
		Tags:                    rdsTagMap(i.TagList),
	}
	if s := i.MasterUserSecret; s != nil {
		d.MasterSecretARN = aws.ToString(s.SecretArn)
		d.MasterSecretKMSKey = aws.ToString(s.KmsKeyId)
	}
	if g := i.DBSubnetGroup; g != nil {
		d.SubnetGroupName = aws.ToString(g.DBSubnetGroupName)
	}
	for _, g := range i.VpcSecurityGroups {
		d.SecurityGroupIDs = append(d.SecurityGroupIDs, aws.ToString(g.VpcSecurityGroupId))
	}
	sort.Strings(d.SecurityGroupIDs)
	if e := i.Endpoint; e != nil {
		d.Address = aws.ToString(e.Address)
		d.Port = aws.ToInt32(e.Port)
	}
	d.Unfinished = unfinished(d.Tags)
	for k := range d.Tags {
		if strings.HasPrefix(k, providerTagPrefix) {
			delete(d.Tags, k)
		}
	}
	return d
}

// providerTagPrefix begins the keys of the tags the provider itself writes (CreatingTag, MoveForTag); they
// are not the user's.
const providerTagPrefix = "gdpr:"

// snapshot translates a snapshot description, tags included (the provider's own too: MoveForTag is how a
// move snapshot is recognised).
func snapshot(s rdstypes.DBSnapshot) Snapshot {
	return Snapshot{
		Identifier:          aws.ToString(s.DBSnapshotIdentifier),
		ARN:                 aws.ToString(s.DBSnapshotArn),
		Status:              aws.ToString(s.Status),
		DatabaseIdentifier:  aws.ToString(s.DBInstanceIdentifier),
		Engine:              aws.ToString(s.Engine),
		EngineVersion:       aws.ToString(s.EngineVersion),
		AllocatedStorageGiB: aws.ToInt32(s.AllocatedStorage),
		Encrypted:           aws.ToBool(s.Encrypted),
		KMSKeyID:            aws.ToString(s.KmsKeyId),
		Created:             aws.ToTime(s.SnapshotCreateTime),
		Tags:                rdsTagMap(s.TagList),
	}
}

func rdsTagMap(tags []rdstypes.Tag) map[string]string {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

func rdsTags(tags map[string]string) []rdstypes.Tag {
	return tagList(tags, func(k, v string) rdstypes.Tag { return rdstypes.Tag{Key: aws.String(k), Value: aws.String(v)} })
}
