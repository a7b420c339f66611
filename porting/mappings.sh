#!/bin/sh
# Go → C mapping deviations from the naming rule (docs/porttrack.md), as
# porttrack commands. Run from the repo root after `make` (or with
# PORTTRACK=/path/to/porttrack). Idempotent: an unchanged mapping or
# override is left alone and not logged again.
# Items that follow the rule need no line here (e.g. util.go getURLsAsString
# → util_get_urls_as_string and TestURLsAreEqual → test_urls_are_equal since
# plural acronyms keep their s).
set -eu
PT="${PORTTRACK:-build/porttrack}"

# ---- server/sublist.go → src/server/sublist.c
"$PT" --db porting.db feature map server/sublist.go:NewSublist --c sublist_new
"$PT" --db porting.db feature map server/sublist.go:NewSublistWithCache --c sublist_new
"$PT" --db porting.db feature map server/sublist.go:NewSublistNoCache --c sublist_new
"$PT" --db porting.db feature map server/sublist.go:Sublist.MatchBytes --c sublist_match
"$PT" --db porting.db feature map server/sublist.go:Sublist.match --c sublist_match_internal
"$PT" --db porting.db feature map server/sublist.go:Sublist.remove --c sublist_remove_internal
"$PT" --db porting.db feature map server/sublist.go:Sublist.hasInterest --c sublist_has_interest_internal
"$PT" --db porting.db feature map server/sublist.go:Sublist.RegisterQueueNotification --c sublist_register_notification
"$PT" --db porting.db feature map server/sublist.go:Sublist.ClearQueueNotification --c sublist_clear_notification
"$PT" --db porting.db feature map server/sublist.go:Sublist.addAllNodeToSubs --c sublist_add_node_to_subs
"$PT" --db porting.db feature update server/sublist.go:NewSublistForServer --override "needs server/account structs: batch 19" --status deferred

# ---- conf/parse.go → src/conf/parse.c (package-level parse keeps its default: static parse)
"$PT" --db porting.db feature map conf/parse.go:Parse --c conf_parse
"$PT" --db porting.db feature map conf/parse.go:ParseWithChecks --c conf_parse
"$PT" --db porting.db feature map conf/parse.go:ParseFile --c conf_parse_file
"$PT" --db porting.db feature map conf/parse.go:ParseFileWithChecks --c conf_parse_file
"$PT" --db porting.db feature map conf/parse.go:ParseFileWithChecksDigest --c conf_parse_file_with_checks_digest
"$PT" --db porting.db feature map conf/parse.go:token.MarshalJSON --c conf_value_json
"$PT" --db porting.db feature update conf/parse.go:token.Value,conf/parse.go:token.Line,conf/parse.go:token.Position,conf/parse.go:token.SourceFile,conf/parse.go:token.IsUsedVariable --override "struct fields of conf_value in C" --status n_a

# ---- conf/lex.go → src/conf/lex.c (lexSkip's closure is lex_skip_run)
"$PT" --db porting.db feature map conf/lex.go:lexSkip --c lex_skip --c lex_skip_run
"$PT" --db porting.db feature map conf/lex.go:lexer.errorf --c lexer_errorf --c lexer_error_rune
# conf/fuzz.go Fuzz is n_a at import (gofuzz harness; libFuzzer target tests/fuzz/fuzz_conf.c)

# ---- server/opts.go → src/server/opts.c
"$PT" --db porting.db feature map server/opts.go:Options.processConfigFile --c opts_process_config_map
"$PT" --db porting.db feature map server/opts.go:PrintTLSHelpAndDie --c opts_print_tls_help --c print_tls_help_and_die@src/main.c
"$PT" --db porting.db feature map server/opts.go:convertPanicToError --c opts_type_panic
"$PT" --db porting.db feature map server/opts.go:convertPanicToErrorList --c opts_type_panic
"$PT" --db porting.db feature map server/opts.go:setupUsersAndNKeysDuplicateCheckMap --c opts_user_or_nkey_exists
"$PT" --db porting.db feature update server/opts.go:unwrapValue --override "conf_value is both token and value in C: nothing to unwrap (type checks are opts_as_*)" --status n_a
# GenTLSConfig and parseTLS keep their defaults (opts_gen_tls_config, opts_parse_tls);
# opts_parse_and_gen_tls is a C-only helper that calls both.

# ---- server/server.go: option validation lives in opts.c, process exits in src/main.c
"$PT" --db porting.db feature map server/server.go:validateOptions --c opts_validate_options@src/server/opts.c
"$PT" --db porting.db feature map server/server.go:ProcessCommandLineArgs --c opts_configure_options@src/server/opts.c
"$PT" --db porting.db feature map server/server.go:PrintServerAndExit --c print_server_and_exit@src/main.c
"$PT" --db porting.db feature map server/server.go:PrintAndDie --c print_and_die@src/main.c

# ---- main.go → src/main.c
"$PT" --db porting.db feature map main.go:usage --c usage@src/main.c

# ---- logger/log.go → src/logger/log.c (log_new_file_logger is NewFileLogger)
"$PT" --db porting.db feature map logger/log.go:newFileLogger --c log_new_file_logger_sink

# ---- server/log.go → src/server/log.c
"$PT" --db porting.db feature map server/log.go:Server.Logger --c server_get_logger

# ---- server/util.go → src/server/util.c
"$PT" --db porting.db feature map server/util.go:generateInfoJSON --c server_info_json_locked@src/server/server.c
"$PT" --db porting.db feature update server/util.go:parallelTaskQueue --override "goroutine pool fed by a channel; C callers use their own thread pool" --status n_a
"$PT" --db porting.db feature map server/sublist.go:ValidateMapping --c subject_transform_validate_mapping
"$PT" --db porting.db test map server/sublist_test.go:TestValidateDestinationSubject --c test_validate_destination_subject@tests/unit/server/test_subject_transform.c

# ---- batch 4/6 gaps (logger marker method)
"$PT" --db porting.db feature update logger/log.go:LogUTC.isLoggerOption --override "Go marker method of the Option interface (type tagging only); C logger options are plain flags with no interface to satisfy" --status n_a
# client.go secrets redaction is tested by the server/log_test.go ports
"$PT" --db porting.db feature map server/client.go:removeSecretsFromTrace --test test_remove_pass_from_trace --test test_remove_auth_token_from_trace --test test_remove_additional_auth_fields_from_trace --test test_no_passwords_from_connect_trace
"$PT" --db porting.db feature map server/client.go:redact --test test_remove_pass_from_trace --test test_remove_auth_token_from_trace --test test_remove_additional_auth_fields_from_trace
