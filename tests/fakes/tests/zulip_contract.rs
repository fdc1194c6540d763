//! Contract tests for the fake Zulip: every documented error body byte-for-byte (Zulip's wire
//! format: compact JSON, `result`/`msg`/`code` order, trailing newline), the order of checks,
//! limits, clearing semantics, auth, rate limits, feature-level gating.

mod common;

use common::*;
use presently_fakes::zulip::{UserStatus, ZulipUser};

// ---------------------------------------------------------------- server settings, profile

#[test]
fn server_settings_needs_no_auth_and_reports_version() {
    let zulip = start(Default::default());
    let reply = call("GET", &zulip, "/api/v1/server_settings").send();
    assert_eq!(reply.status, 200);
    let json = reply.json();
    assert_eq!(json["result"], "success");
    assert_eq!(json["zulip_version"], "11.2");
    assert_eq!(json["zulip_feature_level"], 420);
    assert_eq!(json["realm_uri"], zulip.url());
    assert_eq!(json["authentication_methods"]["password"], true);
    assert!(reply
        .body
        .starts_with("{\"result\":\"success\",\"msg\":\"\","));
    for header in [
        "X-RateLimit-Limit",
        "X-RateLimit-Remaining",
        "X-RateLimit-Reset",
    ] {
        assert!(reply.header(header).is_some(), "{header} missing");
    }
}

#[test]
fn users_me_has_the_documented_shape() {
    let zulip = start(Default::default());
    let json = call("GET", &zulip, "/api/v1/users/me")
        .auth(ALICE)
        .send()
        .json();
    assert_eq!(json["user_id"], 8);
    assert_eq!(json["email"], "alice@example.com");
    assert_eq!(json["role"], 200);
    assert_eq!(json["is_admin"], true);
    assert_eq!(json["is_owner"], false);
    assert_eq!(json["is_bot"], false);
    assert_eq!(json["is_active"], true);
    let bob = call("GET", &zulip, "/api/v1/users/me")
        .auth(BOB)
        .send()
        .json();
    assert_eq!(
        (bob["user_id"].as_u64(), bob["is_admin"].as_bool()),
        (Some(9), Some(false))
    );
}

// ---------------------------------------------------------------- authentication

#[test]
fn missing_auth_is_401_unauthorized_with_www_authenticate() {
    let zulip = start(Default::default());
    let reply = call("GET", &zulip, "/api/v1/users/me").send();
    assert_eq!(reply.status, 401);
    assert_eq!(
        reply.body,
        "{\"result\":\"error\",\"msg\":\"Not logged in: API authentication or user session required\",\"code\":\"UNAUTHORIZED\"}\n"
    );
    assert_eq!(
        reply.header("WWW-Authenticate"),
        Some("Basic realm=\"zulip\"")
    );
}

#[test]
fn malformed_wrong_and_foreign_keys_are_rejected() {
    let zulip = start(Default::default());
    let me = |who| call("GET", &zulip, "/api/v1/users/me").auth(who).send();

    let malformed = me(("alice@example.com", "aliceKEY0123456789abcdef0123456")); // 31 chars
    assert_eq!(malformed.status, 401);
    assert_eq!(
        malformed.body,
        "{\"result\":\"error\",\"msg\":\"Malformed API key\",\"code\":\"INVALID_API_KEY\"}\n"
    );
    let non_alnum = me(("alice@example.com", "aliceKEY0123456789abcdef0123456-"));
    assert_eq!(non_alnum.body, malformed.body);

    let invalid =
        "{\"result\":\"error\",\"msg\":\"Invalid API key\",\"code\":\"INVALID_API_KEY\"}\n";
    for who in [
        ("alice@example.com", "zzzzKEY0123456789abcdef012345678"), // unknown key
        ("bob@example.com", ALICE.1),                              // another user's key
        ("nobody@example.com", ALICE.1),                           // unknown email
    ] {
        let reply = me(who);
        assert_eq!(
            (reply.status, reply.body.as_str()),
            (401, invalid),
            "{who:?}"
        );
    }
    // Zulip compares emails case-insensitively and strips whitespace.
    assert_eq!(me(("ALICE@example.com", ALICE.1)).status, 200);
}

#[test]
fn malformed_authorization_headers() {
    let zulip = start(Default::default());
    let with = |value: &str| {
        call("GET", &zulip, "/api/v1/users/me")
            .header("Authorization", value)
            .send()
    };

    let bearer = with("Bearer abc");
    assert_bad_request(&bearer, "This endpoint requires HTTP basic authentication.");

    let invalid = error_body(
        "Invalid authorization header for basic auth",
        "UNAUTHORIZED",
    );
    for value in [
        "Basic",
        "Basic a b",
        "Basic !!!!",
        &basic("alice@example.com:x", ALICE.1),
    ] {
        let reply = with(value);
        assert_eq!(
            (reply.status, reply.body.as_str()),
            (401, invalid.as_str()),
            "{value}"
        );
        assert_eq!(
            reply.header("WWW-Authenticate"),
            Some("Basic realm=\"zulip\"")
        );
    }
}

#[test]
fn deactivated_user_and_realm() {
    let inactive = |fl| {
        config_with(|c| {
            c.feature_level = fl;
            c.users[1].is_active = false;
        })
    };
    let zulip = start(inactive(420));
    let reply = call("GET", &zulip, "/api/v1/users/me").auth(BOB).send();
    assert_eq!(reply.status, 401);
    assert_eq!(
        reply.body,
        "{\"result\":\"error\",\"msg\":\"Account is deactivated\",\"code\":\"USER_DEACTIVATED\"}\n"
    );

    let old = start(inactive(75));
    assert_eq!(
        call("GET", &old, "/api/v1/users/me")
            .auth(BOB)
            .send()
            .status,
        403
    );

    // The realm check comes first.
    let zulip = start(config_with(|c| {
        c.realm_deactivated = true;
        c.users[1].is_active = false;
    }));
    let reply = call("GET", &zulip, "/api/v1/users/me").auth(BOB).send();
    assert_eq!(reply.status, 401);
    assert_eq!(
        reply.body,
        "{\"result\":\"error\",\"msg\":\"This organization has been deactivated\",\"code\":\"REALM_DEACTIVATED\"}\n"
    );
}

#[test]
fn bots_cannot_set_their_own_status() {
    let zulip = start(Default::default());
    let reply = set_status(&zulip, BOT, &[("status_text", "on vacation")]);
    assert_bad_request(&reply, "This endpoint does not accept bot requests.");
    assert_eq!(zulip.status_of(10), UserStatus::default());
}

// ---------------------------------------------------------------- POST /users/me/status rules

#[test]
fn seed_example_request_succeeds() {
    let zulip = start(Default::default());
    let form = [
        ("status_text", "on vacation"),
        ("away", "true"),
        ("emoji_name", "car"),
        ("emoji_code", "1f697"),
        ("reaction_type", "unicode_emoji"),
    ];
    let reply = set_status(&zulip, ALICE, &form);
    assert_eq!((reply.status, reply.body.as_str()), (200, SUCCESS));
    let expected = UserStatus {
        status_text: "on vacation".into(),
        emoji_name: "car".into(),
        emoji_code: "1f697".into(),
        reaction_type: "unicode_emoji".into(),
        away: true,
    };
    assert_eq!(zulip.status_of(8), expected);
    assert!(!zulip.presence_enabled(8));
}

#[test]
fn no_new_values_is_checked_before_the_emoji_rules() {
    let zulip = start(Default::default());
    let msg = "Client did not pass any new values.";
    assert_bad_request(&set_status(&zulip, ALICE, &[]), msg);
    assert_bad_request(&set_status(&zulip, ALICE, &[("emoji_code", "1f697")]), msg);
    assert_bad_request(
        &set_status(&zulip, ALICE, &[("reaction_type", "unicode_emoji")]),
        msg,
    );
    assert_bad_request(&set_status(&zulip, ALICE, &[("unknown", "x")]), msg);
}

#[test]
fn emoji_code_or_type_without_name() {
    let zulip = start(Default::default());
    let msg = "Client must pass emoji_name if they pass either emoji_code or reaction_type.";
    assert_bad_request(
        &set_status(
            &zulip,
            ALICE,
            &[("status_text", "x"), ("emoji_code", "1f697")],
        ),
        msg,
    );
    assert_bad_request(
        &set_status(
            &zulip,
            ALICE,
            &[("away", "false"), ("reaction_type", "unicode_emoji")],
        ),
        msg,
    );
    // Empty strings are falsy in the server's check: accepted, emoji untouched.
    let reply = set_status(
        &zulip,
        ALICE,
        &[
            ("status_text", "x"),
            ("emoji_code", ""),
            ("reaction_type", ""),
        ],
    );
    assert_eq!(reply.body, SUCCESS);
}

#[test]
fn status_text_length_is_validated_before_everything_else() {
    let zulip = start(Default::default());
    let long = "a".repeat(61);
    let msg = "status_text is too long (limit: 60 characters)";
    assert_bad_request(
        &set_status(
            &zulip,
            ALICE,
            &[("status_text", &long), ("emoji_code", "1f697")],
        ),
        msg,
    );
    assert_bad_request(
        &set_status(
            &zulip,
            ALICE,
            &[("status_text", &long), ("emoji_name", "invalid")],
        ),
        msg,
    );
}

#[test]
fn status_text_limit_is_60_code_points_after_trimming() {
    let zulip = start(Default::default());
    let msg = "status_text is too long (limit: 60 characters)";
    let text = |s: &str| set_status(&zulip, ALICE, &[("status_text", s)]);

    assert_eq!(text(&"a".repeat(60)).body, SUCCESS);
    assert_bad_request(&text(&"a".repeat(61)), msg);
    // Code points, not bytes: 60 two-byte characters fit.
    assert_eq!(text(&"é".repeat(60)).body, SUCCESS);
    // A flag is two code points: 30 flags fit, one more character does not.
    let flags = "🇩🇪".repeat(30);
    assert_eq!(text(&flags).body, SUCCESS);
    assert_bad_request(&text(&format!("{flags}x")), msg);
    // Surrounding whitespace is stripped first, and not stored.
    let padded = format!("  \t{}\n ", "b".repeat(60));
    assert_eq!(text(&padded).body, SUCCESS);
    assert_eq!(zulip.status_of(8).status_text, "b".repeat(60));
}

#[test]
fn emoji_name_resolution_and_validation() {
    let zulip = start(Default::default());
    let emoji = |form: &[(&str, &str)]| set_status(&zulip, ALICE, form);

    assert_bad_request(
        &emoji(&[("emoji_name", "invalid")]),
        "Emoji 'invalid' does not exist",
    );
    // gemoji names that Zulip does not use.
    assert_bad_request(
        &emoji(&[("emoji_name", "white_check_mark")]),
        "Emoji 'white_check_mark' does not exist",
    );
    assert_bad_request(
        &emoji(&[("emoji_name", "car"), ("emoji_code", "1f600")]),
        "Invalid emoji name.",
    );
    assert_bad_request(
        &emoji(&[("emoji_name", "car"), ("emoji_code", "zzz")]),
        "Invalid emoji code.",
    );
    assert_bad_request(
        &emoji(&[
            ("emoji_name", "car"),
            ("emoji_code", "1f697"),
            ("reaction_type", "bogus"),
        ]),
        "Invalid emoji type.",
    );
    // With only a type, the name's code is looked up first.
    assert_bad_request(
        &emoji(&[("emoji_name", "no_such_emoji"), ("reaction_type", "bogus")]),
        "Emoji 'no_such_emoji' does not exist",
    );
    assert_bad_request(
        &emoji(&[("emoji_name", "car"), ("reaction_type", "bogus")]),
        "Invalid emoji type.",
    );

    // The name alone is enough: Zulip fills in code and type.
    assert_eq!(emoji(&[("emoji_name", "check")]).body, SUCCESS);
    let status = zulip.status_of(8);
    assert_eq!(
        (status.emoji_code.as_str(), status.reaction_type.as_str()),
        ("2705", "unicode_emoji")
    );
    // Zulip's "smile" is U+1F642, not gemoji's U+1F604; aliases are accepted as sent.
    assert_eq!(emoji(&[("emoji_name", "smile")]).body, SUCCESS);
    assert_eq!(zulip.status_of(8).emoji_code, "1f642");
    assert_eq!(emoji(&[("emoji_name", "palm")]).body, SUCCESS);
    assert_eq!(
        (
            zulip.status_of(8).emoji_name.as_str(),
            zulip.status_of(8).emoji_code.as_str()
        ),
        ("palm", "1f590")
    );
    assert_eq!(emoji(&[("emoji_name", "zulip")]).body, SUCCESS);
    assert_eq!(zulip.status_of(8).reaction_type, "zulip_extra_emoji");
}

#[test]
fn custom_emoji_rules() {
    let zulip = start(Default::default());
    let emoji = |form: &[(&str, &str)]| set_status(&zulip, ALICE, form);

    assert_eq!(emoji(&[("emoji_name", "presently")]).body, SUCCESS);
    let status = zulip.status_of(8);
    assert_eq!(
        (status.emoji_code.as_str(), status.reaction_type.as_str()),
        ("1", "realm_emoji")
    );

    let realm = |name, code| {
        emoji(&[
            ("emoji_name", name),
            ("emoji_code", code),
            ("reaction_type", "realm_emoji"),
        ])
    };
    assert_eq!(realm("presently", "1").body, SUCCESS);
    assert_bad_request(&realm("presently", "99"), "Invalid custom emoji.");
    assert_bad_request(&realm("presently", "2"), "Invalid custom emoji name.");
    assert_bad_request(
        &realm("old_logo", "2"),
        "This custom emoji has been deactivated.",
    );
    // A deactivated custom emoji does not exist for new use by name.
    assert_bad_request(
        &emoji(&[("emoji_name", "old_logo")]),
        "Emoji 'old_logo' does not exist",
    );
}

#[test]
fn only_passed_fields_change_and_empty_strings_clear() {
    let zulip = start(Default::default());
    set_status(
        &zulip,
        ALICE,
        &[("status_text", "lunch"), ("emoji_name", "hamburger")],
    );

    // Emoji only: the text stays.
    assert_eq!(
        set_status(&zulip, ALICE, &[("emoji_name", "coffee")]).body,
        SUCCESS
    );
    assert_eq!(zulip.status_of(8).status_text, "lunch");
    assert_eq!(zulip.status_of(8).emoji_code, "2615");

    // status_text="" clears the text only.
    assert_eq!(
        set_status(&zulip, ALICE, &[("status_text", "")]).body,
        SUCCESS
    );
    assert_eq!(zulip.status_of(8).status_text, "");
    assert_eq!(zulip.status_of(8).emoji_name, "coffee");

    // emoji_name="" clears name, code and type, whatever code/type are sent with it.
    set_status(&zulip, ALICE, &[("status_text", "back")]);
    let reply = set_status(
        &zulip,
        ALICE,
        &[
            ("emoji_name", ""),
            ("emoji_code", "zzz"),
            ("reaction_type", "bogus"),
        ],
    );
    assert_eq!(reply.body, SUCCESS);
    let status = zulip.status_of(8);
    assert_eq!(status.status_text, "back");
    assert_eq!(
        (status.emoji_name, status.emoji_code, status.reaction_type),
        (String::new(), String::new(), String::new())
    );

    // Both empty: nothing left.
    set_status(&zulip, ALICE, &[("emoji_name", "car")]);
    set_status(&zulip, ALICE, &[("status_text", ""), ("emoji_name", "")]);
    assert_eq!(zulip.status_of(8), UserStatus::default());
}

#[test]
fn away_is_presence_from_feature_level_148() {
    let zulip = start(Default::default());
    assert_eq!(set_status(&zulip, BOB, &[("away", "true")]).body, SUCCESS);
    assert!(!zulip.presence_enabled(9));
    assert!(zulip.status_of(9).away);
    set_status(&zulip, BOB, &[("away", "false")]);
    assert!(zulip.presence_enabled(9));
    assert!(!zulip.status_of(9).away);

    assert_bad_request(
        &set_status(&zulip, BOB, &[("away", "yes")]),
        "away is not valid JSON",
    );
    assert_bad_request(
        &set_status(&zulip, BOB, &[("away", "1")]),
        "away is not a boolean",
    );

    let old = start(config_with(|c| c.feature_level = 147));
    set_status(&old, BOB, &[("away", "true")]);
    assert!(old.status_of(9).away);
    assert!(
        old.presence_enabled(9),
        "before FL 148 away is its own flag"
    );
}

#[test]
fn unknown_parameters_are_listed_from_feature_level_167() {
    let zulip = start(Default::default());
    let reply = set_status(
        &zulip,
        ALICE,
        &[("status_text", "x"), ("zeta", "1"), ("alpha", "2")],
    );
    assert_eq!(
        reply.body,
        "{\"result\":\"success\",\"msg\":\"\",\"ignored_parameters_unsupported\":[\"alpha\",\"zeta\"]}\n"
    );
    let old = start(config_with(|c| c.feature_level = 166));
    assert_eq!(
        set_status(&old, ALICE, &[("status_text", "x"), ("zeta", "1")]).body,
        SUCCESS
    );
}

#[test]
fn emoji_parameters_do_not_exist_before_feature_level_86() {
    let zulip = start(config_with(|c| c.feature_level = 85));
    assert_bad_request(
        &set_status(&zulip, ALICE, &[("emoji_name", "car")]),
        "Client did not pass any new values.",
    );
    assert_eq!(
        set_status(
            &zulip,
            ALICE,
            &[("status_text", "x"), ("emoji_name", "nope")]
        )
        .body,
        SUCCESS
    );
    assert_eq!(zulip.status_of(8).emoji_name, "");
}

// ---------------------------------------------------------------- GET /users/{id}/status

#[test]
fn get_status_shape() {
    let zulip = start(Default::default());
    let get = |id: &str| {
        call("GET", &zulip, &format!("/api/v1/users/{id}/status"))
            .auth(BOB)
            .send()
    };

    assert_eq!(
        get("8").body,
        "{\"result\":\"success\",\"msg\":\"\",\"status\":{}}\n"
    );
    set_status(
        &zulip,
        ALICE,
        &[
            ("status_text", "on vacation"),
            ("emoji_name", "car"),
            ("away", "true"),
        ],
    );
    assert_eq!(
        get("8").body,
        "{\"result\":\"success\",\"msg\":\"\",\"status\":{\"away\":true,\"status_text\":\"on vacation\",\
         \"emoji_name\":\"car\",\"emoji_code\":\"1f697\",\"reaction_type\":\"unicode_emoji\"}}\n"
    );
    set_status(&zulip, ALICE, &[("emoji_name", ""), ("away", "false")]);
    assert_eq!(
        get("8").body,
        "{\"result\":\"success\",\"msg\":\"\",\"status\":{\"status_text\":\"on vacation\"}}\n"
    );

    assert_bad_request(&get("999"), "No such user");
    assert_bad_request(&get("10"), "No such user"); // bots are not users here
}

#[test]
fn get_status_is_gated_at_feature_level_262() {
    let zulip = start(config_with(|c| c.feature_level = 261));
    let reply = call("GET", &zulip, "/api/v1/users/8/status")
        .auth(BOB)
        .send();
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (404, error_body("Not Found", "BAD_REQUEST").as_str())
    );
}

// ---------------------------------------------------------------- POST /users/{id}/status (admin)

#[test]
fn admin_sets_another_users_status() {
    let zulip = start(Default::default());
    let reply = call("POST", &zulip, "/api/v1/users/9/status")
        .auth(ALICE)
        .form(&[
            ("status_text", "on vacation"),
            ("emoji_name", "car"),
            ("away", "true"),
        ]);
    // `away` is not a parameter of this endpoint.
    assert_eq!(
        reply.body,
        "{\"result\":\"success\",\"msg\":\"\",\"ignored_parameters_unsupported\":[\"away\"]}\n"
    );
    assert_eq!(zulip.status_of(9).status_text, "on vacation");
    assert_eq!(zulip.status_of(9).emoji_code, "1f697");
    assert!(zulip.presence_enabled(9));
    assert_eq!(zulip.status_of(8), UserStatus::default());
}

#[test]
fn admin_endpoint_permissions_and_order() {
    let zulip = start(Default::default());
    let post = |who, id: &str, form: &[(&str, &str)]| {
        call("POST", &zulip, &format!("/api/v1/users/{id}/status"))
            .auth(who)
            .form(form)
    };
    assert_bad_request(
        &post(BOB, "8", &[("status_text", "x")]),
        "Insufficient permission",
    );
    assert_bad_request(
        &post(BOB, "9", &[("status_text", "x")]),
        "Insufficient permission",
    );
    // Parameter validation runs before the user lookup and the permission check.
    let long = "a".repeat(61);
    assert_bad_request(
        &post(BOB, "8", &[("status_text", &long)]),
        "status_text is too long (limit: 60 characters)",
    );
    // The user lookup runs before the permission check.
    assert_bad_request(&post(BOB, "999", &[("status_text", "x")]), "No such user");
    assert_bad_request(&post(ALICE, "999", &[("status_text", "x")]), "No such user");
    assert_bad_request(&post(ALICE, "10", &[("status_text", "x")]), "No such user");
    assert_bad_request(
        &post(BOT, "9", &[("status_text", "x")]),
        "This endpoint does not accept bot requests.",
    );
    assert_bad_request(
        &post(ALICE, "9", &[]),
        "Client did not pass any new values.",
    );
    assert_bad_request(
        &post(ALICE, "9", &[("away", "true")]),
        "Client did not pass any new values.",
    );
    assert_bad_request(
        &post(ALICE, "9", &[("emoji_name", "invalid")]),
        "Emoji 'invalid' does not exist",
    );
}

#[test]
fn admin_endpoint_is_gated_at_feature_level_407() {
    // 406: the path exists for GET only, so POST is 405 — before authentication.
    let zulip = start(config_with(|c| c.feature_level = 406));
    let reply = call("POST", &zulip, "/api/v1/users/9/status").form(&[("status_text", "x")]);
    assert_eq!(reply.status, 405);
    assert_eq!(reply.body, "{\"result\":\"error\",\"msg\":\"Method Not Allowed\",\"allowed_methods\":[\"GET\",\"HEAD\"]}");
    assert_eq!(reply.header("Allow"), Some("GET, HEAD"));

    // Below 262 the path does not exist at all.
    let older = start(config_with(|c| c.feature_level = 261));
    let reply = call("POST", &older, "/api/v1/users/9/status")
        .auth(ALICE)
        .form(&[("status_text", "x")]);
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (404, error_body("Not Found", "BAD_REQUEST").as_str())
    );
}

#[test]
fn routing_errors() {
    let zulip = start(Default::default());
    let reply = call("GET", &zulip, "/api/v1/users/me/status")
        .auth(ALICE)
        .send();
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (
            405,
            "{\"result\":\"error\",\"msg\":\"Method Not Allowed\",\"allowed_methods\":[\"POST\"]}"
        )
    );
    let reply = call("GET", &zulip, "/api/v1/no/such/path")
        .auth(ALICE)
        .send();
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (404, error_body("Not Found", "BAD_REQUEST").as_str())
    );
}

// ---------------------------------------------------------------- settings, emoji list

#[test]
fn patch_settings_presence_enabled() {
    let zulip = start(Default::default());
    let patch = |value: &str| {
        call("PATCH", &zulip, "/api/v1/settings")
            .auth(BOB)
            .form(&[("presence_enabled", value)])
    };
    assert_eq!(patch("false").body, SUCCESS);
    assert!(!zulip.presence_enabled(9));
    assert!(zulip.status_of(9).away);
    assert_eq!(patch("true").body, SUCCESS);
    assert!(zulip.presence_enabled(9));
    assert_bad_request(&patch("nope"), "presence_enabled is not valid JSON");

    // Before FL 80 the setting lives at /settings/notifications.
    let old = start(config_with(|c| c.feature_level = 79));
    let reply = call("PATCH", &old, "/api/v1/settings")
        .auth(BOB)
        .form(&[("presence_enabled", "false")]);
    assert_eq!(reply.body, SUCCESS);
    assert!(old.presence_enabled(9), "ignored before FL 80");
    let reply = call("PATCH", &old, "/api/v1/settings/notifications")
        .auth(BOB)
        .form(&[("presence_enabled", "false")]);
    assert_eq!(reply.body, SUCCESS);
    assert!(!old.presence_enabled(9));
    let reply = call("PATCH", &old, "/api/v1/settings/notifications")
        .auth(BOB)
        .form(&[("presence_enabled", "x")]);
    assert_bad_request(&reply, "Argument \"presence_enabled\" is not valid JSON.");
}

#[test]
fn realm_emoji_list() {
    let zulip = start(Default::default());
    let json = call("GET", &zulip, "/api/v1/realm/emoji")
        .auth(BOB)
        .send()
        .json();
    assert_eq!(
        json["emoji"]["1"],
        serde_json::json!({"id": "1", "name": "presently", "source_url": "/user_avatars/1/emoji/presently.png",
                           "deactivated": false, "author_id": 8})
    );
    assert_eq!(json["emoji"]["2"]["deactivated"], true);
}

// ---------------------------------------------------------------- rate limits

#[test]
fn rate_limit_per_user_per_minute() {
    let zulip = start(config_with(|c| c.rate_limit_per_minute = 3));
    let me = |who| call("GET", &zulip, "/api/v1/users/me").auth(who).send();
    let remaining: Vec<String> = (0..3)
        .map(|_| {
            me(ALICE)
                .header("X-RateLimit-Remaining")
                .unwrap_or("?")
                .to_owned()
        })
        .collect();
    assert_eq!(remaining, ["2", "1", "0"]);

    let limited = me(ALICE);
    assert_eq!(limited.status, 429);
    assert!(limited
        .body
        .starts_with("{\"result\":\"error\",\"msg\":\"API usage exceeded rate limit\",\"code\":\"RATE_LIMIT_HIT\",\"retry-after\":"));
    let body_retry = limited.json()["retry-after"]
        .as_f64()
        .expect("retry-after is a number");
    let header_retry: f64 = limited
        .header("Retry-After")
        .expect("Retry-After")
        .parse()
        .expect("float");
    assert!(body_retry > 0.0 && body_retry <= 60.0, "{body_retry}");
    // The same number, written the same way (compared as text: serde_json's float parsing
    // is not exactly rounded, so two parses of one value can differ in the last place).
    let header_text = limited.header("Retry-After").expect("Retry-After");
    assert!(
        limited
            .body
            .contains(&format!("\"retry-after\":{header_text}")),
        "{header_text} vs {}",
        limited.body
    );
    assert!((header_retry - body_retry).abs() < 1e-9);
    assert_eq!(limited.header("X-RateLimit-Limit"), Some("3"));
    assert_eq!(limited.header("X-RateLimit-Remaining"), Some("0"));
    let reset: u64 = limited
        .header("X-RateLimit-Reset")
        .expect("reset")
        .parse()
        .expect("epoch seconds");
    assert!(reset > 1_700_000_000);

    // Per user: bob is unaffected.
    assert_eq!(me(BOB).status, 200);
}

#[test]
fn describe_lists_url_and_users_with_keys() {
    let zulip = start(Default::default());
    let described = zulip.describe();
    assert_eq!(described["zulip"], zulip.url());
    let users: Vec<ZulipUser> =
        serde_json::from_value(described["zulip_users"].clone()).expect("users");
    assert_eq!(users.len(), 3);
    assert!(users.iter().all(|u| u.api_key.len() == 32));
    assert_eq!(users[0].api_key, ALICE.1);
}
