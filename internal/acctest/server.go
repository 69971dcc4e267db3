package acctest

// Images the emulator ships (moto's default AMIs, the same ids in every region): an Amazon Linux image
// whose root device is /dev/xvda, and a Windows image whose root device is /dev/sda1. Tests of gdpr_server
// and of the provider as a whole launch servers from them.
const (
	LinuxImage   = "ami-760aaa0f"
	WindowsImage = "ami-03cf127a"
)
