// Package headless starts Debian's chromium for the suites that drive a page
// (test/browser, test/docs), with the flags a closed network needs.
package headless

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// Chromium is Debian's; .ci/run installs it, and a missing one fails the suite.
const Chromium = "/usr/bin/chromium"

// Options are the allocator options of a fresh headless chromium with its
// own profile, then extra. Without the background-networking flags chromium
// keeps calling out at start, which a closed network refuses.
func Options(t testing.TB, extra ...chromedp.ExecAllocatorOption) []chromedp.ExecAllocatorOption {
	return append([]chromedp.ExecAllocatorOption{
		chromedp.ExecPath(Chromium),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
	}, extra...)
}
