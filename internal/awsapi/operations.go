package awsapi

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// The provider holds, per service, a table of the operations it calls, each a method value of the SDK
// client, rather than the client itself. This keeps the binary to those operations. The Clients reach the
// resources inside an interface value (the framework's provider data), and the plugin server calls methods
// by reflection (net/rpc, through go-plugin); once a program does that, the linker keeps every exported
// method of every type reachable from an interface value, and a struct field of type *ec2.Client is such a
// path: for EC2 some 800 operations and 37 MB of binary, much of it paged into every provider process. A
// function type names only its parameters, so a table of method values keeps the operations it holds and
// nothing else; and because each field has the operation's exact signature, an SDK change to one fails the
// build. Waiters and paginators take their one operation as an interface, so they get a function type with
// that method (describeInstancesFunc below) in the way http.HandlerFunc turns a function into a handler,
// never the client.
//
// Measured on 2026-12-01 with go1.26.8 (go build -o /tmp/x . at the repository root): 42,059,217 bytes with
// the clients behind unsafe.Pointer, as before these tables, and 42,068,951 bytes with them and nothing
// else changed (the method-value wrappers); 6 EC2 and 7 KMS operations either way. A *ec2.Client kept in
// ec2Operations instead gives 79,117,847 bytes and 812 EC2 operations, which
// TestBinaryKeepsOnlyCalledOperations, in the main package, rejects. The S3 client converts itself to an
// interface (for S3 Express sessions) and the SDK's credential providers use STS, so all of S3 and of STS
// stay whatever the provider does (keeping the *s3.Client here adds 688 bytes); they get tables all the
// same, so every service is reached one way.

// operation is the signature the SDK gives every operation of a service client.
type operation[In, Out, Options any] = func(context.Context, *In, ...func(*Options)) (*Out, error)

// ec2Operations are the EC2 operations the provider calls.
type ec2Operations struct {
	createSecurityGroup             operation[ec2.CreateSecurityGroupInput, ec2.CreateSecurityGroupOutput, ec2.Options]
	createSnapshot                  operation[ec2.CreateSnapshotInput, ec2.CreateSnapshotOutput, ec2.Options]
	createTags                      operation[ec2.CreateTagsInput, ec2.CreateTagsOutput, ec2.Options]
	createVolume                    operation[ec2.CreateVolumeInput, ec2.CreateVolumeOutput, ec2.Options]
	deleteSnapshot                  operation[ec2.DeleteSnapshotInput, ec2.DeleteSnapshotOutput, ec2.Options]
	deleteTags                      operation[ec2.DeleteTagsInput, ec2.DeleteTagsOutput, ec2.Options]
	deleteVolume                    operation[ec2.DeleteVolumeInput, ec2.DeleteVolumeOutput, ec2.Options]
	describeImages                  operation[ec2.DescribeImagesInput, ec2.DescribeImagesOutput, ec2.Options]
	describeInstanceAttribute       operation[ec2.DescribeInstanceAttributeInput, ec2.DescribeInstanceAttributeOutput, ec2.Options]
	describeInstances               describeInstancesFunc
	describeSecurityGroups          operation[ec2.DescribeSecurityGroupsInput, ec2.DescribeSecurityGroupsOutput, ec2.Options]
	describeSnapshotAttribute       operation[ec2.DescribeSnapshotAttributeInput, ec2.DescribeSnapshotAttributeOutput, ec2.Options]
	describeSnapshots               describeSnapshotsFunc
	describeVolumes                 describeVolumesFunc
	modifyNetworkInterfaceAttribute operation[ec2.ModifyNetworkInterfaceAttributeInput, ec2.ModifyNetworkInterfaceAttributeOutput, ec2.Options]
	revokeSecurityGroupEgress       operation[ec2.RevokeSecurityGroupEgressInput, ec2.RevokeSecurityGroupEgressOutput, ec2.Options]
	revokeSecurityGroupIngress      operation[ec2.RevokeSecurityGroupIngressInput, ec2.RevokeSecurityGroupIngressOutput, ec2.Options]
	runInstances                    operation[ec2.RunInstancesInput, ec2.RunInstancesOutput, ec2.Options]
	stopInstances                   operation[ec2.StopInstancesInput, ec2.StopInstancesOutput, ec2.Options]
	terminateInstances              operation[ec2.TerminateInstancesInput, ec2.TerminateInstancesOutput, ec2.Options]
}

func ec2OperationsOf(c *ec2.Client) ec2Operations {
	return ec2Operations{
		createSecurityGroup:             c.CreateSecurityGroup,
		createSnapshot:                  c.CreateSnapshot,
		createTags:                      c.CreateTags,
		createVolume:                    c.CreateVolume,
		deleteSnapshot:                  c.DeleteSnapshot,
		deleteTags:                      c.DeleteTags,
		deleteVolume:                    c.DeleteVolume,
		describeImages:                  c.DescribeImages,
		describeInstanceAttribute:       c.DescribeInstanceAttribute,
		describeInstances:               c.DescribeInstances,
		describeSecurityGroups:          c.DescribeSecurityGroups,
		describeSnapshotAttribute:       c.DescribeSnapshotAttribute,
		describeSnapshots:               c.DescribeSnapshots,
		describeVolumes:                 c.DescribeVolumes,
		modifyNetworkInterfaceAttribute: c.ModifyNetworkInterfaceAttribute,
		revokeSecurityGroupEgress:       c.RevokeSecurityGroupEgress,
		revokeSecurityGroupIngress:      c.RevokeSecurityGroupIngress,
		runInstances:                    c.RunInstances,
		stopInstances:                   c.StopInstances,
		terminateInstances:              c.TerminateInstances,
	}
}

// kmsOperations are the KMS operations the provider calls.
type kmsOperations struct {
	createKey            operation[kms.CreateKeyInput, kms.CreateKeyOutput, kms.Options]
	describeKey          operation[kms.DescribeKeyInput, kms.DescribeKeyOutput, kms.Options]
	enableKeyRotation    operation[kms.EnableKeyRotationInput, kms.EnableKeyRotationOutput, kms.Options]
	getKeyPolicy         operation[kms.GetKeyPolicyInput, kms.GetKeyPolicyOutput, kms.Options]
	getKeyRotationStatus operation[kms.GetKeyRotationStatusInput, kms.GetKeyRotationStatusOutput, kms.Options]
	listKeys             listKeysFunc
	listResourceTags     listResourceTagsFunc
	scheduleKeyDeletion  operation[kms.ScheduleKeyDeletionInput, kms.ScheduleKeyDeletionOutput, kms.Options]
	untagResource        operation[kms.UntagResourceInput, kms.UntagResourceOutput, kms.Options]
}

func kmsOperationsOf(c *kms.Client) kmsOperations {
	return kmsOperations{
		createKey:            c.CreateKey,
		describeKey:          c.DescribeKey,
		enableKeyRotation:    c.EnableKeyRotation,
		getKeyPolicy:         c.GetKeyPolicy,
		getKeyRotationStatus: c.GetKeyRotationStatus,
		listKeys:             c.ListKeys,
		listResourceTags:     c.ListResourceTags,
		scheduleKeyDeletion:  c.ScheduleKeyDeletion,
		untagResource:        c.UntagResource,
	}
}

// rdsOperations are the RDS operations the provider calls.
type rdsOperations struct {
	addTagsToResource               operation[rds.AddTagsToResourceInput, rds.AddTagsToResourceOutput, rds.Options]
	copyDBSnapshot                  operation[rds.CopyDBSnapshotInput, rds.CopyDBSnapshotOutput, rds.Options]
	createDBInstance                operation[rds.CreateDBInstanceInput, rds.CreateDBInstanceOutput, rds.Options]
	deleteDBInstance                operation[rds.DeleteDBInstanceInput, rds.DeleteDBInstanceOutput, rds.Options]
	deleteDBSnapshot                operation[rds.DeleteDBSnapshotInput, rds.DeleteDBSnapshotOutput, rds.Options]
	describeDBInstances             describeDBInstancesFunc
	describeDBSnapshots             describeDBSnapshotsFunc
	modifyDBInstance                operation[rds.ModifyDBInstanceInput, rds.ModifyDBInstanceOutput, rds.Options]
	removeTagsFromResource          operation[rds.RemoveTagsFromResourceInput, rds.RemoveTagsFromResourceOutput, rds.Options]
	restoreDBInstanceFromDBSnapshot operation[rds.RestoreDBInstanceFromDBSnapshotInput, rds.RestoreDBInstanceFromDBSnapshotOutput, rds.Options]
}

// rdsOperationsOf takes the operations of c, but CopyDBSnapshot, which queryCopyDBSnapshot sends with c's
// options instead (see rds_copy.go).
func rdsOperationsOf(c *rds.Client) rdsOperations {
	return rdsOperations{
		addTagsToResource:               c.AddTagsToResource,
		copyDBSnapshot:                  queryCopyDBSnapshot(c.Options()),
		createDBInstance:                c.CreateDBInstance,
		deleteDBInstance:                c.DeleteDBInstance,
		deleteDBSnapshot:                c.DeleteDBSnapshot,
		describeDBInstances:             c.DescribeDBInstances,
		describeDBSnapshots:             c.DescribeDBSnapshots,
		modifyDBInstance:                c.ModifyDBInstance,
		removeTagsFromResource:          c.RemoveTagsFromResource,
		restoreDBInstanceFromDBSnapshot: c.RestoreDBInstanceFromDBSnapshot,
	}
}

// s3Operations are the S3 operations the provider calls.
type s3Operations struct {
	createBucket                    operation[s3.CreateBucketInput, s3.CreateBucketOutput, s3.Options]
	deleteBucket                    operation[s3.DeleteBucketInput, s3.DeleteBucketOutput, s3.Options]
	deleteBucketTagging             operation[s3.DeleteBucketTaggingInput, s3.DeleteBucketTaggingOutput, s3.Options]
	deleteObjects                   deleteObjectsFunc
	getBucketEncryption             operation[s3.GetBucketEncryptionInput, s3.GetBucketEncryptionOutput, s3.Options]
	getBucketLocation               operation[s3.GetBucketLocationInput, s3.GetBucketLocationOutput, s3.Options]
	getBucketLifecycleConfiguration operation[s3.GetBucketLifecycleConfigurationInput, s3.GetBucketLifecycleConfigurationOutput, s3.Options]
	getBucketOwnershipControls      operation[s3.GetBucketOwnershipControlsInput, s3.GetBucketOwnershipControlsOutput, s3.Options]
	getBucketPolicy                 operation[s3.GetBucketPolicyInput, s3.GetBucketPolicyOutput, s3.Options]
	getBucketTagging                operation[s3.GetBucketTaggingInput, s3.GetBucketTaggingOutput, s3.Options]
	getBucketVersioning             operation[s3.GetBucketVersioningInput, s3.GetBucketVersioningOutput, s3.Options]
	getObject                       operation[s3.GetObjectInput, s3.GetObjectOutput, s3.Options]
	getObjectTagging                operation[s3.GetObjectTaggingInput, s3.GetObjectTaggingOutput, s3.Options]
	headObject                      operation[s3.HeadObjectInput, s3.HeadObjectOutput, s3.Options]
	copyObject                      operation[s3.CopyObjectInput, s3.CopyObjectOutput, s3.Options]
	createMultipartUpload           operation[s3.CreateMultipartUploadInput, s3.CreateMultipartUploadOutput, s3.Options]
	uploadPartCopy                  operation[s3.UploadPartCopyInput, s3.UploadPartCopyOutput, s3.Options]
	completeMultipartUpload         operation[s3.CompleteMultipartUploadInput, s3.CompleteMultipartUploadOutput, s3.Options]
	abortMultipartUpload            operation[s3.AbortMultipartUploadInput, s3.AbortMultipartUploadOutput, s3.Options]
	getObjectLegalHold              operation[s3.GetObjectLegalHoldInput, s3.GetObjectLegalHoldOutput, s3.Options]
	getObjectLockConfiguration      operation[s3.GetObjectLockConfigurationInput, s3.GetObjectLockConfigurationOutput, s3.Options]
	getObjectRetention              operation[s3.GetObjectRetentionInput, s3.GetObjectRetentionOutput, s3.Options]
	getPublicAccessBlock            operation[s3.GetPublicAccessBlockInput, s3.GetPublicAccessBlockOutput, s3.Options]
	listBuckets                     listBucketsFunc
	listObjectVersions              listObjectVersionsFunc
	putBucketEncryption             operation[s3.PutBucketEncryptionInput, s3.PutBucketEncryptionOutput, s3.Options]
	putBucketLifecycleConfiguration operation[s3.PutBucketLifecycleConfigurationInput, s3.PutBucketLifecycleConfigurationOutput, s3.Options]
	putBucketPolicy                 operation[s3.PutBucketPolicyInput, s3.PutBucketPolicyOutput, s3.Options]
	putBucketTagging                operation[s3.PutBucketTaggingInput, s3.PutBucketTaggingOutput, s3.Options]
	putBucketVersioning             operation[s3.PutBucketVersioningInput, s3.PutBucketVersioningOutput, s3.Options]
	putObjectLockConfiguration      operation[s3.PutObjectLockConfigurationInput, s3.PutObjectLockConfigurationOutput, s3.Options]
	putPublicAccessBlock            operation[s3.PutPublicAccessBlockInput, s3.PutPublicAccessBlockOutput, s3.Options]
}

func s3OperationsOf(c *s3.Client) s3Operations {
	return s3Operations{
		createBucket:                    c.CreateBucket,
		deleteBucket:                    c.DeleteBucket,
		deleteBucketTagging:             c.DeleteBucketTagging,
		deleteObjects:                   xmlSafeDeletes(c.DeleteObjects, c.DeleteObject),
		getBucketEncryption:             c.GetBucketEncryption,
		getBucketLocation:               c.GetBucketLocation,
		getBucketLifecycleConfiguration: c.GetBucketLifecycleConfiguration,
		getBucketOwnershipControls:      c.GetBucketOwnershipControls,
		getBucketPolicy:                 c.GetBucketPolicy,
		getBucketTagging:                c.GetBucketTagging,
		getBucketVersioning:             c.GetBucketVersioning,
		getObject:                       c.GetObject,
		getObjectTagging:                c.GetObjectTagging,
		headObject:                      c.HeadObject,
		copyObject:                      c.CopyObject,
		createMultipartUpload:           c.CreateMultipartUpload,
		uploadPartCopy:                  c.UploadPartCopy,
		completeMultipartUpload:         c.CompleteMultipartUpload,
		abortMultipartUpload:            c.AbortMultipartUpload,
		getObjectLegalHold:              c.GetObjectLegalHold,
		getObjectLockConfiguration:      c.GetObjectLockConfiguration,
		getObjectRetention:              c.GetObjectRetention,
		getPublicAccessBlock:            c.GetPublicAccessBlock,
		listBuckets:                     c.ListBuckets,
		listObjectVersions:              urlEncodedKeys(c.ListObjectVersions),
		putBucketEncryption:             c.PutBucketEncryption,
		putBucketLifecycleConfiguration: c.PutBucketLifecycleConfiguration,
		putBucketPolicy:                 c.PutBucketPolicy,
		putBucketTagging:                c.PutBucketTagging,
		putBucketVersioning:             c.PutBucketVersioning,
		putObjectLockConfiguration:      c.PutObjectLockConfiguration,
		putPublicAccessBlock:            c.PutPublicAccessBlock,
	}
}

// stsOperations are the STS operations the provider calls.
type stsOperations struct {
	getCallerIdentity operation[sts.GetCallerIdentityInput, sts.GetCallerIdentityOutput, sts.Options]
}

func stsOperationsOf(c *sts.Client) stsOperations {
	return stsOperations{getCallerIdentity: c.GetCallerIdentity}
}

// describeInstancesFunc is DescribeInstances as the EC2 waiters take it.
type describeInstancesFunc func(context.Context, *ec2.DescribeInstancesInput, ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error)

func (f describeInstancesFunc) DescribeInstances(ctx context.Context, in *ec2.DescribeInstancesInput, opts ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error) {
	return f(ctx, in, opts...)
}

// describeSnapshotsFunc is DescribeSnapshots as the EC2 snapshot waiter and paginator take it.
type describeSnapshotsFunc func(context.Context, *ec2.DescribeSnapshotsInput, ...func(*ec2.Options)) (*ec2.DescribeSnapshotsOutput, error)

func (f describeSnapshotsFunc) DescribeSnapshots(ctx context.Context, in *ec2.DescribeSnapshotsInput, opts ...func(*ec2.Options)) (*ec2.DescribeSnapshotsOutput, error) {
	return f(ctx, in, opts...)
}

// listResourceTagsFunc is ListResourceTags as the KMS paginator takes it.
type listResourceTagsFunc func(context.Context, *kms.ListResourceTagsInput, ...func(*kms.Options)) (*kms.ListResourceTagsOutput, error)

func (f listResourceTagsFunc) ListResourceTags(ctx context.Context, in *kms.ListResourceTagsInput, opts ...func(*kms.Options)) (*kms.ListResourceTagsOutput, error) {
	return f(ctx, in, opts...)
}

// listObjectVersionsFunc is ListObjectVersions as the S3 paginator takes it.
type listObjectVersionsFunc func(context.Context, *s3.ListObjectVersionsInput, ...func(*s3.Options)) (*s3.ListObjectVersionsOutput, error)

func (f listObjectVersionsFunc) ListObjectVersions(ctx context.Context, in *s3.ListObjectVersionsInput, opts ...func(*s3.Options)) (*s3.ListObjectVersionsOutput, error) {
	return f(ctx, in, opts...)
}

// listKeysFunc is ListKeys as the KMS paginator takes it.
type listKeysFunc func(context.Context, *kms.ListKeysInput, ...func(*kms.Options)) (*kms.ListKeysOutput, error)

func (f listKeysFunc) ListKeys(ctx context.Context, in *kms.ListKeysInput, opts ...func(*kms.Options)) (*kms.ListKeysOutput, error) {
	return f(ctx, in, opts...)
}

// listBucketsFunc is ListBuckets as the S3 paginator takes it.
type listBucketsFunc func(context.Context, *s3.ListBucketsInput, ...func(*s3.Options)) (*s3.ListBucketsOutput, error)

func (f listBucketsFunc) ListBuckets(ctx context.Context, in *s3.ListBucketsInput, opts ...func(*s3.Options)) (*s3.ListBucketsOutput, error) {
	return f(ctx, in, opts...)
}

// describeDBInstancesFunc is DescribeDBInstances as the RDS waiters and paginator take it.
type describeDBInstancesFunc func(context.Context, *rds.DescribeDBInstancesInput, ...func(*rds.Options)) (*rds.DescribeDBInstancesOutput, error)

func (f describeDBInstancesFunc) DescribeDBInstances(ctx context.Context, in *rds.DescribeDBInstancesInput, opts ...func(*rds.Options)) (*rds.DescribeDBInstancesOutput, error) {
	return f(ctx, in, opts...)
}

// describeDBSnapshotsFunc is DescribeDBSnapshots as the RDS waiter and paginator take it.
type describeDBSnapshotsFunc func(context.Context, *rds.DescribeDBSnapshotsInput, ...func(*rds.Options)) (*rds.DescribeDBSnapshotsOutput, error)

func (f describeDBSnapshotsFunc) DescribeDBSnapshots(ctx context.Context, in *rds.DescribeDBSnapshotsInput, opts ...func(*rds.Options)) (*rds.DescribeDBSnapshotsOutput, error) {
	return f(ctx, in, opts...)
}

// describeVolumesFunc is DescribeVolumes as the EC2 volume waiter and paginator take it.
type describeVolumesFunc func(context.Context, *ec2.DescribeVolumesInput, ...func(*ec2.Options)) (*ec2.DescribeVolumesOutput, error)

func (f describeVolumesFunc) DescribeVolumes(ctx context.Context, in *ec2.DescribeVolumesInput, opts ...func(*ec2.Options)) (*ec2.DescribeVolumesOutput, error) {
	return f(ctx, in, opts...)
}
