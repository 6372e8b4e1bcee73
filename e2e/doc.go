// Package e2e drives the real shop in headless Chromium: a shopper browses,
// fills the cart, registers or logs in and checks out, and the tests assert
// what that shopper would see. Each test builds a small world through models,
// serves web.Server on 127.0.0.1 with httptest and talks to Chromium over
// the DevTools protocol (chromedp); nothing else is started.
//
// The package holds only tests. It depends on web and models and must not be
// imported by anything. Without Chromium the tests skip, unless
// STOREFRONT_REQUIRE_BROWSER=1 (CI) turns that into a failure.
// STOREFRONT_SCREENSHOTS=dir writes full-page screenshots at desktop and
// phone widths into dir.
package e2e

// Every form of templates/ and the browser test that submits it and checks
// its effect are listed in docs/forms.md; TestEveryFormIsInTheFormsTable
// keeps that table and templates/ in step.
