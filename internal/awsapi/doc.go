// Package awsapi holds every AWS call the provider makes. It builds the SDK clients once per provider
// instance and translates AWS errors into a few kinds the provider reacts to. It knows nothing of Terraform.
//
// The files follow the services and, within a service, the concerns:
//
//   - client.go builds the clients; operations.go holds, per service, the operations the provider calls,
//     as method values, which keeps the binary small (its comment says how much);
//   - s3.go, ec2.go and kms.go declare a service's resource as the provider sees it (Bucket, Server, Key)
//     and what the provider asks for (BucketInput, ServerInput, KeyInput);
//   - s3_create.go, s3_read.go and s3_destroy.go, and their ec2_ counterparts, hold the calls of each step
//     of a resource's life; kms.go holds the few of a key;
//   - s3_guarantees.go, ec2_guarantees.go and kms_guarantees.go declare what the provider guarantees of
//     every resource, each guarantee once so the three uses cannot disagree: how it is written, what a new
//     bucket has of it (BucketInput.Created), and how a resource read back is checked for it
//     (Bucket.Violations, Server.Problems, Key.Problems);
//   - errors.go, concurrent.go and tags.go are shared by the services; testing_test.go holds the fake
//     services the tests write to and read from.
package awsapi
