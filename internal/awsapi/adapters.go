package awsapi

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// The SDK's waiters and paginators take the one operation they call as an interface. Handing them a
// *ec2.Client (or *s3.Client, *kms.Client) would convert the client to an interface and bring every
// operation of its service back into the binary (see hidden); these adapters hand over a method value
// instead, the way http.HandlerFunc turns a function into a handler.

type describeInstancesFunc func(context.Context, *ec2.DescribeInstancesInput, ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error)

func (f describeInstancesFunc) DescribeInstances(ctx context.Context, in *ec2.DescribeInstancesInput, opts ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error) {
	return f(ctx, in, opts...)
}

type listResourceTagsFunc func(context.Context, *kms.ListResourceTagsInput, ...func(*kms.Options)) (*kms.ListResourceTagsOutput, error)

func (f listResourceTagsFunc) ListResourceTags(ctx context.Context, in *kms.ListResourceTagsInput, opts ...func(*kms.Options)) (*kms.ListResourceTagsOutput, error) {
	return f(ctx, in, opts...)
}

type listObjectVersionsFunc func(context.Context, *s3.ListObjectVersionsInput, ...func(*s3.Options)) (*s3.ListObjectVersionsOutput, error)

func (f listObjectVersionsFunc) ListObjectVersions(ctx context.Context, in *s3.ListObjectVersionsInput, opts ...func(*s3.Options)) (*s3.ListObjectVersionsOutput, error) {
	return f(ctx, in, opts...)
}
