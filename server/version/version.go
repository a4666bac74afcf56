// Package version tells which build of buurtstem is running. Version is set
// at build time (-ldflags "-X github.com/buurtstem/buurtstem/server/version.Version=v1.2.3");
// the commit comes from the Go toolchain's VCS stamp.
package version

import "runtime/debug"

// Version is the release name; "dev" for local builds.
var Version = "dev"

// Revision returns the VCS commit the binary was built from, or "unknown".
func Revision() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				return s.Value
			}
		}
	}
	return "unknown"
}
