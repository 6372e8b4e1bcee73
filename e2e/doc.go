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
// its effect (on an existing record where the form edits one). A form
// added to templates/ gets a line here and a test.
//
//	account.templ     login / register (auth-form)         TestBuyFlow, TestLoginMergesAnonymousCart, TestAnAddressWithACombiningAccentIsTheSameAccount
//	account.templ     /password/forgot, /password/reset    TestShopperResetsAForgottenPassword
//	account.templ     /logout (account page)               TestLoginMergesAnonymousCart
//	account.templ     /account/personalization             TestShopperTurnsPersonalizationOffAndOn
//	account.templ     /account/delete                      TestShopperDeletesTheirAccount
//	account.templ     /account/password                    TestShopperChangesTheirPassword
//	account.templ     /account/sessions/end                TestShopperSignsOutTheirOtherDevices
//	layout.templ      header search /search                TestSearchInTheDemoWorld
//	layout.templ      header /logout                       TestShopperLogsOutFromTheHeader
//	listing.templ     filters (category, search, sale)     TestSearchInTheDemoWorld, TestPhoneCategoryPage
//	shop.templ        /cart/add                            TestBuyFlow, TestCartQuantityStopsAtStock, TestAShopperPicksAColourThenASize
//	shop.templ        why not (admin preview)              TestPreviewExplainsRowsAndAnswersWhyNot
//	cart.templ        /cart/update quantity, remove        TestCartQuantityStopsAtStock, TestUpdatingALineRemovedInAnotherWindow
//	cart.templ        /checkout                            TestBuyFlow, TestACheckoutRefusedForStockIsPlacedFromTheFormItShows
//	interests.templ   show, forget, reset, remove          TestInterestsControlsChangeTheHomepage
//	merchant.templ    /admin/setup                         TestFirstRunSetup
//	staff_password    /admin/password                      TestDemoStaffChoosesOwnPassword, TestAdminManagesStaff
//	admin.templ       /admin/logout                        TestStaffLogsOutOfTheAdmin
//	admin_analytics   date range                           TestAnalyticsDateRangeForm
//	admin_campaigns   new campaign, campaign settings      TestCampaignPageForms, TestCampaignEndedPage
//	admin_experiments control group, new, start, stop      TestMerchandiserSetsTheControlGroup, TestMerchandiserCreatesAnExperiment, TestMerchandiserStartsAndStopsAnExperiment
//	admin_experiments promote an arm                       TestMerchandiserPromotesAnArm
//	admin_layout      move up                              TestRollbackRestoresTheOldOrder
//	admin_layout      move down, remove a creative         TestLayoutEditorMovesASlotDownAndRemovesACreative
//	admin_layout      enable / disable, lock               TestPreviewExplainsRowsAndAnswersWhyNot, TestSlotFormsCreateLockPinAndRemove
//	admin_layout      slot form (new and existing)         TestSlotFormsCreateLockPinAndRemove, TestMerchandiserEditsAnExistingSlot
//	admin_layout      remove a slot, pin from the picker   TestSlotFormsCreateLockPinAndRemove
//	admin_layout      picker search (beside, own page)     TestAdminSearchForms
//	admin_layout      creative form (new and existing)     TestCampaignPageForms
//	admin_layout      publish                              TestMerchandiserEditsAnExistingSlot, TestRetrainForm
//	admin_model       retrain, retention                   TestRetrainForm, TestAdminOnlyForms
//	admin_pages       preview as                           TestPreviewAsAShopperShowsTheirRows
//	admin_pages       API key create, revoke               TestAdminOnlyForms
//	admin_pages       catalog search                       TestAdminSearchForms
//	admin_pages       catalog row (existing product)       TestCatalogPriceForm, TestAProductRestockedInTheCatalogFormIsBackOnTheHomepage
//	admin_pages       rollback                             TestRollbackRestoresTheOldOrder
//	admin_pages       product image upload, remove         TestMerchandiserUploadsAProductImage
//	admin_search      synonyms save, reset                 TestMerchandiserMaintainsSynonyms
//	admin_shop        settings                             TestAdminChangesShopSettings
//	admin_shop        logo upload, remove                  TestAdminUploadsAndRemovesTheLogo
//	admin_shop        staff add, reset password            TestAdminManagesStaff
//	admin_shop        staff role, (re)activate, remove     TestAdminChangesAStaffMembersRoleAndRemovesThem
//	admin_shop        import preview, apply                TestImportPreviewShowsABadRow, TestImportPreviewShowsWhatTheFileOverwrites
