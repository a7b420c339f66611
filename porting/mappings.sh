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

# ---- issue 6 tracker hygiene (batches 2, 3, 16, 17, 18, 44): deferral reasons, n_a, mappings
# batch 2
"$PT" --db porting.db feature update 'server/memstore.go:newMemStore' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.UpdateConfig' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.recoverTTLState' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.recoverMsgSchedulingState' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.storeRawMsg' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.StoreRawMsg' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.StoreMsg' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.SkipMsg' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.SkipMsgNoInterest' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.skipMsg' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.SkipMsgs' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.FlushAllPending' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.RegisterStorageUpdates' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.RegisterStorageRemoveMsg' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.RegisterProcessJetStreamMsg' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.GetSeqFromTime' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.FilteredState' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.filteredStateLocked' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.SubjectsState' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.AllLastSeqs' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.allLastSeqsLocked' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.filterIsAll' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.MultiLastSeqs' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.SubjectsTotals' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.subjectsTotalsLocked' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.NumPending' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.NumPendingMulti' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.enforcePerSubjectLimit' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.enforceMsgLimit' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.enforceBytesLimit' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.startAgeChk' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.resetAgeChk' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.cancelAgeChk' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.expireMsgs' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.shouldProcessSdm' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.shouldProcessSdmLocked' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.handleRemovalOrSdm' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.runMsgScheduling' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.PurgeEx' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.Purge' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.purge' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.Compact' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.compact' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.reset' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.Truncate' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.deleteFirstMsgOrPanic' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.deleteFirstMsg' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.SubjectForSeq' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.LoadMsg' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.loadMsgLocked' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.LoadLastMsg' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.loadLastLocked' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.LoadNextMsgMulti' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.LoadNextMsg' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.nextWildcardMatchLocked' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.nextLiteralMatchLocked' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.shouldLinearScan' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.loadNextMsgLocked' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.LoadPrevMsg' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.LoadPrevMsgMulti' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.RemoveMsg' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.EraseMsg' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.updateFirstSeq' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.removeSeqPerSubject' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.recalculateForSubj' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.removeMsg' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.removeMsgNoCB' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.Type' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.FastState' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.State' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.Utilization' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStoreMsgSizeRaw' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStoreMsgSize' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.ResetState' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.Delete' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.Stop' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.isClosed' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.ConsumerStore' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.AddConsumer' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.RemoveConsumer' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.Snapshot' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.EncodedStreamState' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:memStore.SyncDeleted' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:consumerMemStore.Update' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:consumerMemStore.ForceUpdate' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:consumerMemStore.SetStarting' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:consumerMemStore.UpdateStarting' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:consumerMemStore.Reset' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:consumerMemStore.HasState' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:consumerMemStore.UpdateDelivered' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:consumerMemStore.UpdateAcks' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:consumerMemStore.RemoveRedeliveredBelow' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:consumerMemStore.UpdateConfig' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:consumerMemStore.Stop' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:consumerMemStore.Delete' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:consumerMemStore.StreamDelete' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:consumerMemStore.State' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:consumerMemStore.BorrowState' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:consumerMemStore.stateWithCopy' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:consumerMemStore.EncodedState' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:consumerMemStore.copyPending' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:consumerMemStore.copyRedelivered' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/memstore.go:consumerMemStore.Type' --override "memstore: batch 8/11 store (JetStream stream storage)" --status deferred
"$PT" --db porting.db feature update 'server/parser.go:parseState.getHeader' --override "parsed header map for JetStream/msg trace: batch 21/27" --status deferred
"$PT" --db porting.db test update 'server/memstore_test.go:TestMemStoreBasics' --override "needs memstore: batch 8/11 store" --status deferred
"$PT" --db porting.db test update 'server/memstore_test.go:TestMemStoreMsgLimit' --override "needs memstore: batch 8/11 store" --status deferred
"$PT" --db porting.db test update 'server/memstore_test.go:TestMemStoreBytesLimit' --override "needs memstore: batch 8/11 store" --status deferred
"$PT" --db porting.db test update 'server/memstore_test.go:TestMemStoreBytesLimitWithDiscardNew' --override "needs memstore: batch 8/11 store" --status deferred
"$PT" --db porting.db test update 'server/memstore_test.go:TestMemStoreAgeLimit' --override "needs memstore: batch 8/11 store" --status deferred
"$PT" --db porting.db test update 'server/memstore_test.go:TestMemStoreTimeStamps' --override "needs memstore: batch 8/11 store" --status deferred
"$PT" --db porting.db test update 'server/memstore_test.go:TestMemStorePurge' --override "needs memstore: batch 8/11 store" --status deferred
"$PT" --db porting.db test update 'server/memstore_test.go:TestMemStoreCompact' --override "needs memstore: batch 8/11 store" --status deferred
"$PT" --db porting.db test update 'server/memstore_test.go:TestMemStoreEraseMsg' --override "needs memstore: batch 8/11 store" --status deferred
"$PT" --db porting.db test update 'server/memstore_test.go:TestMemStoreMsgHeaders' --override "needs memstore: batch 8/11 store" --status deferred
"$PT" --db porting.db test update 'server/memstore_test.go:TestMemStoreStreamStateDeleted' --override "needs memstore: batch 8/11 store" --status deferred
"$PT" --db porting.db test update 'server/memstore_test.go:TestMemStoreStreamTruncate' --override "needs memstore: batch 8/11 store" --status deferred
"$PT" --db porting.db test update 'server/memstore_test.go:TestMemStorePurgeExWithSubject' --override "needs memstore: batch 8/11 store" --status deferred
"$PT" --db porting.db test update 'server/memstore_test.go:TestMemStoreUpdateMaxMsgsPerSubject' --override "needs memstore: batch 8/11 store" --status deferred
"$PT" --db porting.db test update 'server/memstore_test.go:TestMemStoreStreamTruncateReset' --override "needs memstore: batch 8/11 store" --status deferred
"$PT" --db porting.db test update 'server/memstore_test.go:TestMemStoreStreamCompactMultiBlockSubjectInfo' --override "needs memstore: batch 8/11 store" --status deferred
"$PT" --db porting.db test update 'server/memstore_test.go:TestMemStoreSubjectsTotals' --override "needs memstore: batch 8/11 store" --status deferred
"$PT" --db porting.db test update 'server/memstore_test.go:TestMemStoreNumPending' --override "needs memstore: batch 8/11 store" --status deferred
"$PT" --db porting.db test update 'server/memstore_test.go:TestMemStoreInitialFirstSeq' --override "needs memstore: batch 8/11 store" --status deferred
"$PT" --db porting.db test update 'server/memstore_test.go:TestMemStoreDeleteBlocks' --override "needs memstore: batch 8/11 store" --status deferred
"$PT" --db porting.db test update 'server/memstore_test.go:TestMemStoreGetSeqFromTimeWithLastDeleted' --override "needs memstore: batch 8/11 store" --status deferred
"$PT" --db porting.db test update 'server/memstore_test.go:TestMemStoreSkipMsgs' --override "needs memstore: batch 8/11 store" --status deferred
"$PT" --db porting.db test update 'server/memstore_test.go:TestMemStoreMultiLastSeqs' --override "needs memstore: batch 8/11 store" --status deferred
"$PT" --db porting.db test update 'server/memstore_test.go:TestMemStoreMultiLastSeqsMaxAllowed' --override "needs memstore: batch 8/11 store" --status deferred
"$PT" --db porting.db test update 'server/memstore_test.go:TestMemStorePurgeExWithDeletedMsgs' --override "needs memstore: batch 8/11 store" --status deferred
"$PT" --db porting.db test update 'server/memstore_test.go:TestMemStoreDeleteAllFirstSequenceCheck' --override "needs memstore: batch 8/11 store" --status deferred
"$PT" --db porting.db test update 'server/memstore_test.go:TestMemStoreNumPendingMulti' --override "needs memstore: batch 8/11 store" --status deferred
"$PT" --db porting.db test update 'server/memstore_test.go:TestMemStoreNumPendingBug' --override "needs memstore: batch 8/11 store" --status deferred
"$PT" --db porting.db test update 'server/memstore_test.go:TestMemStorePurgeLeaksDmap' --override "needs memstore: batch 8/11 store" --status deferred
"$PT" --db porting.db test update 'server/memstore_test.go:TestMemStoreMessageTTL' --override "needs memstore: batch 8/11 store" --status deferred
"$PT" --db porting.db test update 'server/memstore_test.go:TestMemStoreSubjectDeleteMarkers' --override "needs memstore: batch 8/11 store" --status deferred
"$PT" --db porting.db test update 'server/memstore_test.go:TestMemStoreAllLastSeqs' --override "needs memstore: batch 8/11 store" --status deferred
"$PT" --db porting.db test update 'server/memstore_test.go:TestMemStoreUpdateConfigTTLState' --override "needs memstore: batch 8/11 store" --status deferred
"$PT" --db porting.db test update 'server/memstore_test.go:TestMemStoreSubjectForSeq' --override "needs memstore: batch 8/11 store" --status deferred
"$PT" --db porting.db test update 'server/memstore_test.go:TestMemStoreMessageSchedule' --override "needs memstore: batch 8/11 store" --status deferred
"$PT" --db porting.db test update 'server/memstore_test.go:TestMemStoreMessageScheduleEverySubSecondPrecision' --override "needs memstore: batch 8/11 store" --status deferred
"$PT" --db porting.db test update 'server/memstore_test.go:TestMemStoreNextWildcardMatch' --override "needs memstore: batch 8/11 store" --status deferred
"$PT" --db porting.db test update 'server/memstore_test.go:TestMemStoreNextLiteralMatch' --override "needs memstore: batch 8/11 store" --status deferred
"$PT" --db porting.db test update 'server/memstore_test.go:TestMemStoreMultiLastSeqsDoesNotUseStaleLastValue' --override "needs memstore: batch 8/11 store" --status deferred
"$PT" --db porting.db test update 'server/memstore_test.go:TestMemStoreMultiLastSeqsDoesNotReorderConfigSubjects' --override "needs memstore: batch 8/11 store" --status deferred
"$PT" --db porting.db test update 'server/parser_test.go:TestParseLeafMsgBadSize' --override "needs leafnodes: batch 24" --status deferred
"$PT" --db porting.db test update 'server/parser_test.go:TestParseLeafHeaderMsgBadSize' --override "needs leafnodes: batch 24" --status deferred
"$PT" --db porting.db test update 'server/parser_test.go:TestParseRoutedHeaderMsg' --override "needs routes: batch 23" --status deferred
"$PT" --db porting.db test update 'server/parser_test.go:TestParseRouteMsg' --override "needs routes: batch 23" --status deferred
"$PT" --db porting.db test update 'server/parser_test.go:TestParsePingAllowedAfterConnectForNonClients' --override "needs routes/leafnodes/gateways: batches 23-25" --status deferred
"$PT" --db porting.db test update 'server/split_test.go:TestSplitRoutedMsgArg' --override "needs routes: batch 23" --status deferred
"$PT" --db porting.db test update 'server/split_test.go:TestSplitBufferMsgOp' --override "needs routes: batch 23" --status deferred
"$PT" --db porting.db test update 'server/split_test.go:TestSplitBufferLeafMsgArg' --override "needs leafnodes: batch 24" --status deferred
"$PT" --db porting.db test update 'server/sublist_test.go:TestSublistForServerNoOpts' --override "needs NewSublistForServer: batch 19 (accounts)" --status deferred
"$PT" --db porting.db test update 'server/sublist_test.go:TestSetAccountSublistNoOpts' --override "needs NewSublistForServer: batch 19 (accounts)" --status deferred
# batch 3
"$PT" --db porting.db feature update 'server/client_proxyproto.go:proxyProtoAddr.String' --override "proxy protocol: batch 3: client_proxyproto not ported yet" --status deferred
"$PT" --db porting.db feature update 'server/client_proxyproto.go:proxyProtoAddr.Network' --override "proxy protocol: batch 3: client_proxyproto not ported yet" --status deferred
"$PT" --db porting.db feature update 'server/client_proxyproto.go:proxyConn.RemoteAddr' --override "proxy protocol: batch 3: client_proxyproto not ported yet" --status deferred
"$PT" --db porting.db feature update 'server/client_proxyproto.go:detectProxyProtoVersion' --override "proxy protocol: batch 3: client_proxyproto not ported yet" --status deferred
"$PT" --db porting.db feature update 'server/client_proxyproto.go:readProxyProtoV1Header' --override "proxy protocol: batch 3: client_proxyproto not ported yet" --status deferred
"$PT" --db porting.db feature update 'server/client_proxyproto.go:readProxyProtoHeader' --override "proxy protocol: batch 3: client_proxyproto not ported yet" --status deferred
"$PT" --db porting.db feature update 'server/client_proxyproto.go:readProxyProtoV2Header' --override "proxy protocol: batch 3: client_proxyproto not ported yet" --status deferred
"$PT" --db porting.db feature update 'server/client_proxyproto.go:parseProxyProtoV2Header' --override "proxy protocol: batch 3: client_proxyproto not ported yet" --status deferred
"$PT" --db porting.db feature update 'server/client_proxyproto.go:parseIPv4Addr' --override "proxy protocol: batch 3: client_proxyproto not ported yet" --status deferred
"$PT" --db porting.db feature update 'server/client_proxyproto.go:parseIPv6Addr' --override "proxy protocol: batch 3: client_proxyproto not ported yet" --status deferred
"$PT" --db porting.db feature update 'server/sendq.go:Server.newSendQ' --override "internal clients: batch 21 (events)" --status deferred
"$PT" --db porting.db feature update 'server/sendq.go:sendq.internalLoop' --override "internal clients: batch 21 (events)" --status deferred
"$PT" --db porting.db feature update 'server/sendq.go:sendq.send' --override "internal clients: batch 21 (events)" --status deferred
"$PT" --db porting.db feature map 'server/service.go:Run' --c server_start
"$PT" --db porting.db test update 'server/client_proxyproto_test.go:TestClientProxyProtoV2ParseIPv4' --override "needs proxy protocol: batch 3: client_proxyproto not ported yet" --status deferred
"$PT" --db porting.db test update 'server/client_proxyproto_test.go:TestClientProxyProtoV2ParseIPv6' --override "needs proxy protocol: batch 3: client_proxyproto not ported yet" --status deferred
"$PT" --db porting.db test update 'server/client_proxyproto_test.go:TestClientProxyProtoV2ParseLocalCommand' --override "needs proxy protocol: batch 3: client_proxyproto not ported yet" --status deferred
"$PT" --db porting.db test update 'server/client_proxyproto_test.go:TestClientProxyProtoV2InvalidSignature' --override "needs proxy protocol: batch 3: client_proxyproto not ported yet" --status deferred
"$PT" --db porting.db test update 'server/client_proxyproto_test.go:TestClientProxyProtoV2InvalidVersion' --override "needs proxy protocol: batch 3: client_proxyproto not ported yet" --status deferred
"$PT" --db porting.db test update 'server/client_proxyproto_test.go:TestClientProxyProtoV2UnsupportedFamily' --override "needs proxy protocol: batch 3: client_proxyproto not ported yet" --status deferred
"$PT" --db porting.db test update 'server/client_proxyproto_test.go:TestClientProxyProtoV2UnsupportedProtocol' --override "needs proxy protocol: batch 3: client_proxyproto not ported yet" --status deferred
"$PT" --db porting.db test update 'server/client_proxyproto_test.go:TestClientProxyProtoV2TruncatedHeader' --override "needs proxy protocol: batch 3: client_proxyproto not ported yet" --status deferred
"$PT" --db porting.db test update 'server/client_proxyproto_test.go:TestClientProxyProtoV2ShortAddressData' --override "needs proxy protocol: batch 3: client_proxyproto not ported yet" --status deferred
"$PT" --db porting.db test update 'server/client_proxyproto_test.go:TestProxyConnRemoteAddr' --override "needs proxy protocol: batch 3: client_proxyproto not ported yet" --status deferred
"$PT" --db porting.db test update 'server/client_proxyproto_test.go:TestClientProxyProtoV2EndToEnd' --override "needs proxy protocol: batch 3: client_proxyproto not ported yet" --status deferred
"$PT" --db porting.db test update 'server/client_proxyproto_test.go:TestClientProxyProtoV2LocalCommandEndToEnd' --override "needs proxy protocol: batch 3: client_proxyproto not ported yet" --status deferred
"$PT" --db porting.db test update 'server/client_proxyproto_test.go:TestClientProxyProtoV1ParseTCP4' --override "needs proxy protocol: batch 3: client_proxyproto not ported yet" --status deferred
"$PT" --db porting.db test update 'server/client_proxyproto_test.go:TestClientProxyProtoV1ParseTCP6' --override "needs proxy protocol: batch 3: client_proxyproto not ported yet" --status deferred
"$PT" --db porting.db test update 'server/client_proxyproto_test.go:TestClientProxyProtoV1ParseTCP6IPv4Mapped' --override "needs proxy protocol: batch 3: client_proxyproto not ported yet" --status deferred
"$PT" --db porting.db test update 'server/client_proxyproto_test.go:TestClientProxyProtoV1MismatchedDestProtocol' --override "needs proxy protocol: batch 3: client_proxyproto not ported yet" --status deferred
"$PT" --db porting.db test update 'server/client_proxyproto_test.go:TestClientProxyProtoV1ParseUnknown' --override "needs proxy protocol: batch 3: client_proxyproto not ported yet" --status deferred
"$PT" --db porting.db test update 'server/client_proxyproto_test.go:TestClientProxyProtoV1PreservesCoalescedClientBytes' --override "needs proxy protocol: batch 3: client_proxyproto not ported yet" --status deferred
"$PT" --db porting.db test update 'server/client_proxyproto_test.go:TestClientProxyProtoV1InvalidFormat' --override "needs proxy protocol: batch 3: client_proxyproto not ported yet" --status deferred
"$PT" --db porting.db test update 'server/client_proxyproto_test.go:TestClientProxyProtoV1LineTooLong' --override "needs proxy protocol: batch 3: client_proxyproto not ported yet" --status deferred
"$PT" --db porting.db test update 'server/client_proxyproto_test.go:TestClientProxyProtoV1InvalidIP' --override "needs proxy protocol: batch 3: client_proxyproto not ported yet" --status deferred
"$PT" --db porting.db test update 'server/client_proxyproto_test.go:TestClientProxyProtoV1MismatchedProtocol' --override "needs proxy protocol: batch 3: client_proxyproto not ported yet" --status deferred
"$PT" --db porting.db test update 'server/client_proxyproto_test.go:TestClientProxyProtoV1InvalidPort' --override "needs proxy protocol: batch 3: client_proxyproto not ported yet" --status deferred
"$PT" --db porting.db test update 'server/client_proxyproto_test.go:TestClientProxyProtoV1EndToEnd' --override "needs proxy protocol: batch 3: client_proxyproto not ported yet" --status deferred
"$PT" --db porting.db test update 'server/client_proxyproto_test.go:TestClientProxyProtoVersionDetection' --override "needs proxy protocol: batch 3: client_proxyproto not ported yet" --status deferred
"$PT" --db porting.db test update 'server/client_proxyproto_test.go:TestClientProxyProtoUnrecognizedVersion' --override "needs proxy protocol: batch 3: client_proxyproto not ported yet" --status deferred
"$PT" --db porting.db test update 'server/client_proxyproto_test.go:TestClientProxyProtoV1WithRequiredTLS' --override "needs proxy protocol (batch 3: client_proxyproto not ported yet) and TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db test update 'server/client_proxyproto_test.go:TestClientProxyProtoV2WithRequiredTLS' --override "needs proxy protocol (batch 3: client_proxyproto not ported yet) and TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db test update 'server/client_proxyproto_test.go:TestClientProxyProtoNonProxiedTLSFirstFallback' --override "needs proxy protocol (batch 3: client_proxyproto not ported yet) and TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db test update 'server/client_proxyproto_test.go:TestClientProxyProtoV1WithAllowNonTLS' --override "needs proxy protocol (batch 3: client_proxyproto not ported yet) and TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db test update 'server/client_proxyproto_test.go:TestClientProxyProtoV2WithAllowNonTLS' --override "needs proxy protocol (batch 3: client_proxyproto not ported yet) and TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db test update 'server/service_test.go:TestRun' --override "portable now: no blocking batch, C test not written yet (issue 6)" --status deferred
# batch 16
"$PT" --db porting.db feature update 'server/client.go:isInternalClient' --override "internal clients: batch 21 (events)" --status deferred
"$PT" --db porting.db feature update 'server/client.go:clientFlag.set' --override "Go bit-flag helper method; C sets/tests client->flags with inline bit operations (CF_* masks)" --status n_a
"$PT" --db porting.db feature update 'server/client.go:clientFlag.clear' --override "Go bit-flag helper method; C sets/tests client->flags with inline bit operations (CF_* masks)" --status n_a
"$PT" --db porting.db feature update 'server/client.go:clientFlag.isSet' --override "Go bit-flag helper method; C sets/tests client->flags with inline bit operations (CF_* masks)" --status n_a
"$PT" --db porting.db feature update 'server/client.go:clientFlag.setIfNotSet' --override "Go bit-flag helper method; C sets/tests client->flags with inline bit operations (CF_* masks)" --status n_a
"$PT" --db porting.db feature map 'server/client.go:WriteTimeoutPolicy.String' --c write_timeout_string@src/server/monitor.c
"$PT" --db porting.db feature update 'server/client.go:nbPoolGet' --override "sync.Pool of net.Buffers chunks (Go GC helper); C outbound queue manages its own buffers (client_queue_outbound)" --status n_a
"$PT" --db porting.db feature update 'server/client.go:nbPoolPut' --override "sync.Pool of net.Buffers chunks (Go GC helper); C outbound queue manages its own buffers (client_queue_outbound)" --status n_a
"$PT" --db porting.db feature update 'server/client.go:readCacheFlag.set' --override "Go bit-flag helper method on the read cache; C uses inline bit operations" --status n_a
"$PT" --db porting.db feature update 'server/client.go:readCacheFlag.clear' --override "Go bit-flag helper method on the read cache; C uses inline bit operations" --status n_a
"$PT" --db porting.db feature update 'server/client.go:readCacheFlag.isSet' --override "Go bit-flag helper method on the read cache; C uses inline bit operations" --status n_a
"$PT" --db porting.db feature update 'server/client.go:client.GetNonce' --override "exported accessor of Go's ClientAuthentication interface for embedded custom authenticators; cnatsd has no plugin auth API, C reads client fields under the client lock" --status n_a
"$PT" --db porting.db feature update 'server/client.go:client.GetID' --override "exported accessor of Go's ClientAuthentication interface for embedded custom authenticators; cnatsd has no plugin auth API, C reads client->cid" --status n_a
"$PT" --db porting.db feature update 'server/client.go:client.GetName' --override "exported accessor of Go's ClientAuthentication interface for embedded custom authenticators; cnatsd has no plugin auth API, C reads client->opts" --status n_a
"$PT" --db porting.db feature update 'server/client.go:client.GetOpts' --override "exported accessor of Go's ClientAuthentication interface for embedded custom authenticators; cnatsd has no plugin auth API, C reads client->opts" --status n_a
"$PT" --db porting.db feature update 'server/client.go:client.GetTLSConnectionState' --override "TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db feature update 'server/client.go:client.clientType' --override "client type NATS/MQTT/WS: websocket batch 26, MQTT batch 40" --status deferred
"$PT" --db porting.db feature update 'server/client.go:client.clientTypeString' --override "client type NATS/MQTT/WS: websocket batch 26, MQTT batch 40" --status deferred
"$PT" --db porting.db feature update 'server/client.go:subscription.close' --override "closed flag checked by internal subscription callbacks: batch 21 (events)" --status deferred
"$PT" --db porting.db feature update 'server/client.go:subscription.isClosed' --override "closed flag checked by internal subscription callbacks: batch 21 (events)" --status deferred
"$PT" --db porting.db feature update 'server/client.go:client.setTraceLevel' --override "system-account trace exclusion (trace_verbose/sys account): batch 21 (events)" --status deferred
"$PT" --db porting.db feature update 'server/client.go:client.RemoteAddress' --override "exported net.Addr accessor for embedders; C keeps host/port strings in the client struct" --status n_a
"$PT" --db porting.db feature update 'server/client.go:client.Kind' --override "exported accessor for embedders; C reads client->kind directly" --status n_a
"$PT" --db porting.db feature map 'server/client.go:client.subsAtLimit' --c client_process_sub
"$PT" --db porting.db feature update 'server/client.go:client.updateDefaultPermissions' --override "JWT default user permissions of an account: batch 19/20 (accounts)" --status deferred
"$PT" --db porting.db feature update 'server/client.go:client.publicPermissions' --override "user info request \$SYS.REQ.USER.INFO: batch 21 (events)" --status deferred
"$PT" --db porting.db feature update 'server/client.go:subjectQueueString' --override "user info request \$SYS.REQ.USER.INFO: batch 21 (events)" --status deferred
"$PT" --db porting.db feature update 'server/client.go:client.mergeDenyPermissions' --override "leafnode: batch 24" --status deferred
"$PT" --db porting.db feature update 'server/client.go:mergeDenyPerm' --override "leafnode: batch 24" --status deferred
"$PT" --db porting.db feature update 'server/client.go:client.mergeDenyPermissionsLocked' --override "leafnode: batch 24" --status deferred
"$PT" --db porting.db feature update 'server/client.go:client.setExpiration' --override "JWT user/account expiry timers: batch 19/20 (accounts)" --status deferred
"$PT" --db porting.db feature update 'server/client.go:client.writeLoop' --override "goroutine write loop; replaced by libuv write completion callbacks driven by client_flush_outbound on the IO loop" --status n_a
"$PT" --db porting.db feature update 'server/client.go:client.resetReadLoopStallTime' --override "readLoop goroutine stall-time bookkeeping; C stall tracking is client_stall_begin/client_stall_end on the IO loop" --status n_a
"$PT" --db porting.db feature map 'server/client.go:client.readLoop' --c on_read@src/server/client.c
"$PT" --db porting.db feature update 'server/client.go:closedStateForErr' --override "maps Go io/TLS errors to closed states; TLS part: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db feature update 'server/client.go:client.collapsePtoNB' --override "websocket framing/compression of outbound buffers: batch 26" --status deferred
"$PT" --db porting.db feature map 'server/client.go:client.handleWriteTimeout' --c on_write_deadline@src/server/client.c
"$PT" --db porting.db feature update 'server/client.go:client.traceMsgDelivery' --override "trace of delivered messages: msg tracing batch 21" --status deferred
"$PT" --db porting.db feature update 'server/client.go:client.sendErrAndErr' --override "used by route/leafnode/gateway error paths: batch 23" --status deferred
"$PT" --db porting.db feature update 'server/client.go:client.sendErrAndDebug' --override "used by route/leafnode/gateway error paths: batch 23" --status deferred
"$PT" --db porting.db feature update 'server/client.go:client.authExpired' --override "JWT user/account expiry timers: batch 19/20 (accounts)" --status deferred
"$PT" --db porting.db feature update 'server/client.go:client.accountAuthExpired' --override "JWT user/account expiry timers: batch 19/20 (accounts)" --status deferred
"$PT" --db porting.db feature update 'server/client.go:client.maxAccountConnExceeded' --override "account connection limits: batch 19/20 (accounts); reported inline in client_report_err_register_account" --status deferred
"$PT" --db porting.db feature update 'server/client.go:client.enqueueProtoAndFlush' --override "used by route/leafnode/gateway protocol: batch 23" --status deferred
"$PT" --db porting.db feature update 'server/client.go:client.sendProtoNow' --override "used by route/leafnode/gateway protocol: batch 23" --status deferred
"$PT" --db porting.db feature update 'server/client.go:client.sendRTTPing' --override "route/leafnode RTT: batch 23" --status deferred
"$PT" --db porting.db feature map 'server/client.go:client.generateClientInfoJSON' --c server_generate_client_info_json
"$PT" --db porting.db feature update 'server/client.go:client.updateS2AutoCompressionLevel' --override "route/leafnode S2 compression: batch 23" --status deferred
"$PT" --db porting.db feature update 'server/client.go:client.msgParts' --override "used by internal subscription callbacks: batch 21 (events)" --status deferred
"$PT" --db porting.db feature update 'server/client.go:client.processSubEx' --override "internal clients: batch 21 (events)" --status deferred
"$PT" --db porting.db test update 'server/ping_test.go:TestPing' --override "portable now: no blocking batch, C test not written yet (issue 6)" --status deferred
"$PT" --db porting.db test update 'test/fanout_test.go:TestNoRaceHighFanoutOrdering' --override "portable now: no blocking batch, C test not written yet (issue 6)" --status deferred
"$PT" --db porting.db test update 'test/fanout_test.go:TestNoRaceRouteFormTimeWithHighSubscriptions' --override "needs routes: batch 23" --status deferred
"$PT" --db porting.db test update 'test/maxpayload_test.go:TestAsyncInfoWithSmallerMaxPayload' --override "needs routes: batch 23" --status deferred
"$PT" --db porting.db test update 'test/ping_test.go:TestPingSentToTLSConnection' --override "needs TLS: issue 8 (batch 9)" --status deferred
# batch 17
"$PT" --db porting.db feature update 'server/client.go:client.msgHeaderForRouteOrLeaf' --override "route protocol: batch 23 (Routes)" --status deferred
"$PT" --db porting.db feature update 'server/client.go:client.stalledWait' --override "producer stall wait: fast-producer stall in C is client_stall_begin/end; Go semantics (timed wait in readLoop goroutine) not ported, batch 17" --status deferred
"$PT" --db porting.db feature update 'server/client.go:client.addToPCD' --override "C pcd_add keeps the set but fsp accounting differs; review before mapping (batch 17)" --status deferred
"$PT" --db porting.db feature update 'server/client.go:client.trackRemoteReply' --override "route protocol: batch 23 (Routes)" --status deferred
"$PT" --db porting.db feature update 'server/client.go:client.pruneRemoteTracking' --override "route protocol: batch 23 (Routes)" --status deferred
"$PT" --db porting.db feature update 'server/client.go:isServiceReply' --override "service import reply tracking: batch 19/20 (accounts)" --status deferred
"$PT" --db porting.db feature update 'server/client.go:isJSAckSubject' --override "JetStream: batch 27" --status deferred
"$PT" --db porting.db feature update 'server/client.go:jsAckDeliverIdx' --override "JetStream: batch 27" --status deferred
"$PT" --db porting.db feature update 'server/client.go:replyHasJSAckSuffix' --override "JetStream: batch 27" --status deferred
"$PT" --db porting.db feature update 'server/client.go:client.handleGWReplyMap' --override "gateway: batch 25" --status deferred
"$PT" --db porting.db feature update 'server/client.go:client.setupResponseServiceImport' --override "service import responses: batch 19/20 (accounts)" --status deferred
"$PT" --db porting.db feature update 'server/client.go:removeHeaderStatusIfPresent' --override "header editing for service imports/JetStream/msg trace: batch 21/27" --status deferred
"$PT" --db porting.db feature update 'server/client.go:removeHeaderIfPresent' --override "header editing for service imports/JetStream/msg trace: batch 21/27" --status deferred
"$PT" --db porting.db feature update 'server/client.go:removeHeaderIfPrefixPresent' --override "header editing for service imports/JetStream/msg trace: batch 21/27" --status deferred
"$PT" --db porting.db feature update 'server/client.go:genHeader' --override "header editing for service imports/JetStream/msg trace: batch 21/27" --status deferred
"$PT" --db porting.db feature update 'server/client.go:client.setHeader' --override "header editing for service imports/JetStream/msg trace: batch 21/27" --status deferred
"$PT" --db porting.db feature update 'server/client.go:getHeader' --override "header editing for service imports/JetStream/msg trace: batch 21/27" --status deferred
"$PT" --db porting.db feature update 'server/client.go:sliceHeader' --override "header editing for service imports/JetStream/msg trace: batch 21/27" --status deferred
"$PT" --db porting.db feature update 'server/client.go:getHeaderKeyIndex' --override "header editing for service imports/JetStream/msg trace: batch 21/27" --status deferred
"$PT" --db porting.db feature update 470 --override "header editing for service imports/JetStream/msg trace: batch 21/27" --status deferred
"$PT" --db porting.db feature update 'server/client.go:client.addSubToRouteTargets' --override "route protocol: batch 23 (Routes)" --status deferred
"$PT" --db porting.db feature update 'server/client.go:filterRouteTargetDeny' --override "route protocol: batch 23 (Routes)" --status deferred
"$PT" --db porting.db feature update 'server/client.go:client.checkLeafClientInfoHeader' --override "leafnode: batch 24" --status deferred
"$PT" --db porting.db feature update 'server/client.go:adjustPingInterval' --override "route protocol: batch 23 (Routes)" --status deferred
"$PT" --db porting.db feature update 'server/client.go:client.watchForStaleConnection' --override "leafnode: batch 24" --status deferred
"$PT" --db porting.db feature update 'server/client.go:client.clearTlsToTimer' --override "TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db feature update 'server/client.go:client.setExpirationTimer' --override "JWT user/account expiry timers: batch 19/20 (accounts)" --status deferred
"$PT" --db porting.db feature update 'server/client.go:client.setExpirationTimerUnlocked' --override "JWT user/account expiry timers: batch 19/20 (accounts)" --status deferred
"$PT" --db porting.db feature update 'server/client.go:client.claimExpiration' --override "JWT user/account expiry timers: batch 19/20 (accounts)" --status deferred
"$PT" --db porting.db feature map 'server/client.go:client.flushAndClose' --c client_io_close@src/server/client.c
"$PT" --db porting.db feature update 'server/client.go:client.swapAccountAfterReload' --override "account changes on reload: batch 19/20 (accounts)" --status deferred
"$PT" --db porting.db feature update 'server/client.go:client.reconnect' --override "route/leafnode/gateway reconnect: batch 23" --status deferred
"$PT" --db porting.db feature update 'server/client.go:client.getRTTValue' --override "route/leafnode RTT: batch 23" --status deferred
"$PT" --db porting.db feature update 'server/client.go:client.getAccAndResultFromCache' --override "route protocol: batch 23 (Routes)" --status deferred
"$PT" --db porting.db feature update 'server/client.go:client.Account' --override "exported accessor for embedders; C reads client->acc under the client lock" --status n_a
"$PT" --db porting.db feature update 'server/client.go:client.pruneClosedSubFromPerAccountCache' --override "route protocol: batch 23 (Routes)" --status deferred
"$PT" --db porting.db feature update 'server/client.go:ClientInfo.serviceAccount' --override "system events: batch 21" --status deferred
"$PT" --db porting.db feature update 'server/client.go:client.addServerAndClusterInfo' --override "system events: batch 21" --status deferred
"$PT" --db porting.db feature update 'server/client.go:client.getClientInfo' --override "system events: batch 21" --status deferred
"$PT" --db porting.db feature update 'server/client.go:client.doTLSServerHandshake' --override "TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db feature update 'server/client.go:client.doTLSClientHandshake' --override "TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db feature update 'server/client.go:client.doTLSHandshake' --override "TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db feature update 'server/client.go:isClientProbeTLSHandshakeError' --override "TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db feature map 'server/client.go:convertAllowedConnectionTypes' --c opts_convert_allowed_connection_types@src/server/opts.c
"$PT" --db porting.db feature update 'server/client.go:client.format' --clear-override
"$PT" --db porting.db feature update 'server/client.go:client.formatNoClientInfo' --override "rate-limited client logging with account/user suffixes (RateLimitErrorf and friends): not ported yet, batch 17" --status deferred
"$PT" --db porting.db feature update 'server/client.go:client.formatClientSuffix' --override "rate-limited client logging with account/user suffixes (RateLimitErrorf and friends): not ported yet, batch 17" --status deferred
"$PT" --db porting.db feature update 'server/client.go:client.Error' --override "Go takes an error value; C callers format the error text and call client_errorf" --status n_a
"$PT" --db porting.db feature update 'server/client.go:client.Errorf' --clear-override
"$PT" --db porting.db feature update 'server/client.go:client.Debugf' --clear-override
"$PT" --db porting.db feature update 'server/client.go:client.Noticef' --clear-override
"$PT" --db porting.db feature update 'server/client.go:client.Tracef' --clear-override
"$PT" --db porting.db feature update 'server/client.go:client.Warnf' --clear-override
"$PT" --db porting.db feature update 'server/client.go:client.RateLimitErrorf' --override "client-prefixed rate-limited logging: used by route/leafnode/gateway paths, batch 23" --status deferred
"$PT" --db porting.db feature update 'server/client.go:client.rateLimitFormatWarnf' --override "client-prefixed rate-limited logging: used by route/leafnode/gateway paths, batch 23" --status deferred
"$PT" --db porting.db feature update 'server/client.go:client.RateLimitWarnf' --override "client-prefixed rate-limited logging: used by route/leafnode/gateway paths, batch 23" --status deferred
"$PT" --db porting.db feature update 'server/client.go:client.RateLimitDebugf' --override "client-prefixed rate-limited logging: used by route/leafnode/gateway paths, batch 23" --status deferred
"$PT" --db porting.db feature update 'server/client.go:client.setAuthError' --override "auth callout error propagation: batch 19/20 (accounts/auth callout)" --status deferred
"$PT" --db porting.db feature update 'server/client.go:client.getAuthError' --override "auth callout error propagation: batch 19/20 (accounts/auth callout)" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestAsyncClientWithRunningServer' --override "portable now: no blocking batch, C test not written yet (issue 6)" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestNonTLSConnectionState' --override "needs TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestRemoteAddress' --override "tests exported accessor client.RemoteAddress (n_a in C)" --status n_a
"$PT" --db porting.db test update 'server/client_test.go:TestSplitSubjectQueue' --override "portable now: no blocking batch, C test not written yet (issue 6)" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestTypeString' --override "needs client type strings (websocket batch 26, MQTT batch 40)" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestClientPublicPermissionsPreservesQueueQualifier' --override "needs system events (\$SYS.REQ.USER.INFO): batch 21" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestUnsubRace' --override "portable now: no blocking batch, C test not written yet (issue 6)" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestClientCloseTLSConnection' --override "needs TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestClientOutboundQueueCoalesce' --override "portable now: no blocking batch, C test not written yet (issue 6)" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestClientTraceRace' --override "Go race-detector regression on atomic fields; C relies on ASan/UBSan runs and lock discipline" --status n_a
"$PT" --db porting.db test update 'server/client_test.go:TestClientUserInfo' --override "needs system events (\$SYS.REQ.USER.INFO): batch 21" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestReadloopWarning' --override "portable now: no blocking batch, C test not written yet (issue 6)" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestTraceMsg' --override "portable now: no blocking batch, C test not written yet (issue 6)" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestTraceMsgHeadersOnly' --override "needs header helpers (service imports/JetStream/msg trace): batch 21/27" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestTraceMsgDelivery' --override "needs delivered-message tracing: batch 21" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestTraceMsgDeliveryWithHeaders' --override "needs header helpers (service imports/JetStream/msg trace): batch 21/27" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestPingNotSentTooSoon' --override "portable now: no blocking batch, C test not written yet (issue 6)" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestClientSlowConsumerWithoutConnect' --override "portable now: no blocking batch, C test not written yet (issue 6)" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestClientNoSlowConsumerIfConnectExpected' --override "portable now: no blocking batch, C test not written yet (issue 6)" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestClientIPv6Address' --override "portable now: no blocking batch, C test not written yet (issue 6)" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestPBNotIncreasedOnMaxPending' --override "portable now: no blocking batch, C test not written yet (issue 6)" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestFlushOutboundNoSliceReuseIfPartial' --override "portable now: no blocking batch, C test not written yet (issue 6)" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestCloseConnectionLogsReason' --override "portable now: no blocking batch, C test not written yet (issue 6)" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestCloseConnectionVeryEarly' --override "portable now: no blocking batch, C test not written yet (issue 6)" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestClientLimits' --override "portable now: no blocking batch, C test not written yet (issue 6)" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestClientApplyAccountLimitsSigningKeysRace' --override "Go race-detector regression on atomic fields; C relies on ASan/UBSan runs and lock discipline" --status n_a
"$PT" --db porting.db test update 'server/client_test.go:TestClientApplyAccountLimitsMpayAtomicRace' --override "Go race-detector regression on atomic fields; C relies on ASan/UBSan runs and lock discipline" --status n_a
"$PT" --db porting.db test update 'server/client_test.go:TestClientGenerateClientInfoJSONMpayAtomicRace' --override "Go race-detector regression on atomic fields; C relies on ASan/UBSan runs and lock discipline" --status n_a
"$PT" --db porting.db test update 'server/client_test.go:TestClientClampMaxSubsErrReport' --override "portable now: no blocking batch, C test not written yet (issue 6)" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestClientUserInfoReq' --override "needs system events (\$SYS.REQ.USER.INFO): batch 21" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestTLSClientHandshakeFirst' --override "needs TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestTLSClientHandshakeFirstFallbackDelayConfigValues' --override "needs TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestTLSClientHandshakeFirstFallbackDelay' --override "needs TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestTLSClientHandshakeFirstFallbackDelayAndAllowNonTLS' --override "needs TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestTLSClientNoticeWithAllowNonTLS' --override "needs TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestTLSClientHandshakeFirstAndInProcessConnection' --override "needs TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestTLSClientHandshakeProbeErrorsLogAsDebug' --override "needs TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestTLSHandshakeTimerTimeoutLogLevel' --override "needs TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestRemoveHeaderIfPrefixPresent' --override "needs header helpers (service imports/JetStream/msg trace): batch 21/27" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestRemoveHeaderIfPrefixPresentSkipsValueMatches' --override "needs header helpers (service imports/JetStream/msg trace): batch 21/27" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestRemoveHeaderIfPresentSkipsValueMatches' --override "needs header helpers (service imports/JetStream/msg trace): batch 21/27" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestRemoveHeaderIfPresentDuplicates' --override "needs header helpers (service imports/JetStream/msg trace): batch 21/27" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestSliceHeader' --override "needs header helpers (service imports/JetStream/msg trace): batch 21/27" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestSliceHeaderOrderingPrefix' --override "needs header helpers (service imports/JetStream/msg trace): batch 21/27" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestReplyHasJSAckSuffix' --override "needs JetStream: batch 27" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestSliceHeaderOrderingSuffix' --override "needs header helpers (service imports/JetStream/msg trace): batch 21/27" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestRemoveHeaderIfPresentOrderingPrefix' --override "needs header helpers (service imports/JetStream/msg trace): batch 21/27" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestRemoveHeaderIfPresentOrderingSuffix' --override "needs header helpers (service imports/JetStream/msg trace): batch 21/27" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestMsgPartsCapsHdrSlice' --override "needs header helpers (service imports/JetStream/msg trace): batch 21/27" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestSetHeaderDoesNotOverwriteUnderlyingBuffer' --override "needs header helpers (service imports/JetStream/msg trace): batch 21/27" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestClientSetHeaderDoesNotMutateInputMsg' --override "needs header helpers (service imports/JetStream/msg trace): batch 21/27" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestSetHeaderOrderingPrefix' --override "needs header helpers (service imports/JetStream/msg trace): batch 21/27" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestSetHeaderOrderingSuffix' --override "needs header helpers (service imports/JetStream/msg trace): batch 21/27" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestInProcessAllowedConnectionType' --override "in-process net.Pipe connections do not exist in C" --status n_a
"$PT" --db porting.db test update 'server/client_test.go:TestClientFlushOutboundNoSlowConsumer' --override "portable now: no blocking batch, C test not written yet (issue 6)" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestClientRejectsNRGSubjects' --override "portable now: no blocking batch, C test not written yet (issue 6)" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestConnectionStringWithLogConnectionInfo' --override "portable now: no blocking batch, C test not written yet (issue 6)" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestClientConfigureWriteTimeoutPolicy' --override "per-kind write_timeout policy for routes/gateways/leafnodes: batch 23" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestClientFlushOutboundWriteTimeoutPolicy' --override "per-kind write_timeout policy for routes/gateways/leafnodes: batch 23" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestFlushOutboundS2CompressionPoolBufferRecycling' --override "needs route/leafnode S2 compression: batch 23" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestClientPingNoAuthUserExceptionsAndRestrictions' --override "portable now: no blocking batch, C test not written yet (issue 6)" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestClientRepeatConnectSwitchesAccountAndCleansOldSubs' --override "portable now: no blocking batch, C test not written yet (issue 6)" --status deferred
"$PT" --db porting.db test update 'server/client_test.go:TestClientMsgsMetric' --override "portable now: no blocking batch, C test not written yet (issue 6)" --status deferred
# batch 18
"$PT" --db porting.db feature update 'server/server.go:Server.getServerProto' --override "route protocol: batch 23 (Routes)" --status deferred
"$PT" --db porting.db feature update 'server/server.go:setServerProtoForTest' --override "test-only hook to fake the route protocol version; C tests would set the field directly" --status n_a
"$PT" --db porting.db feature update 'server/server.go:validateAndNormalizeCompressionOption' --override "route/leafnode S2 compression: batch 23" --status deferred
"$PT" --db porting.db feature update 'server/server.go:needsCompression' --override "route/leafnode S2 compression: batch 23" --status deferred
"$PT" --db porting.db feature update 'server/server.go:selectCompressionMode' --override "route/leafnode S2 compression: batch 23" --status deferred
"$PT" --db porting.db feature update 'server/server.go:compressionModeForInfoProtocol' --override "route/leafnode S2 compression: batch 23" --status deferred
"$PT" --db porting.db feature update 'server/server.go:selectS2AutoModeBasedOnRTT' --override "route/leafnode S2 compression: batch 23" --status deferred
"$PT" --db porting.db feature update 'server/server.go:s2WriterOptions' --override "route/leafnode S2 compression: batch 23" --status deferred
"$PT" --db porting.db feature update 'server/server.go:NewServerFromConfig' --override "config-file constructor for embedders; C main calls opts_process_config_file then server_new (not one function)" --status deferred
"$PT" --db porting.db feature map 'server/server.go:NewServer' --c server_new
"$PT" --db porting.db feature update 'server/server.go:Server.initRouteStructures' --override "route protocol: batch 23 (Routes)" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.logRejectedTLSConns' --override "TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.ClusterName' --override "route protocol: batch 23 (Routes)" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.cachedClusterName' --override "route protocol: batch 23 (Routes)" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.setClusterName' --override "route protocol: batch 23 (Routes)" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.isClusterNameDynamic' --override "route protocol: batch 23 (Routes)" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.serverName' --override "server name for route/JetStream use: batch 23" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.ClientURL' --override "exported accessor for embedders of the Go server; cnatsd is a standalone process and reads the struct under the server lock" --status n_a
"$PT" --db porting.db feature update 'server/server.go:Server.WebsocketURL' --override "websocket: batch 26" --status deferred
"$PT" --db porting.db feature update 'server/server.go:validateCluster' --override "route protocol: batch 23 (Routes)" --status deferred
"$PT" --db porting.db feature update 'server/server.go:validatePinnedCerts' --override "TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.setOpts' --override "options swap on reload: reload.c swaps options inline (batch 7); no separate C function" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.configureResolver' --override "account resolvers: batch 20" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.checkResolvePreloads' --override "account resolvers: batch 20" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.globalAccountOnly' --override "route protocol: batch 23 (Routes)" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.standAloneMode' --override "route protocol: batch 23 (Routes)" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.configuredRoutes' --override "route protocol: batch 23 (Routes)" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.ActivePeers' --override "route protocol: batch 23 (Routes)" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.isTrustedIssuer' --override "operator/trusted keys (JWT): batch 19/20 (accounts)" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.processTrustedKeys' --override "operator/trusted keys (JWT): batch 19/20 (accounts)" --status deferred
"$PT" --db porting.db feature update 'server/server.go:checkTrustedKeyString' --override "operator/trusted keys (JWT): batch 19/20 (accounts)" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.initStampedTrustedKeys' --override "operator/trusted keys (JWT): batch 19/20 (accounts)" --status deferred
"$PT" --db porting.db feature map 'server/server.go:Server.Running' --c server_is_running
"$PT" --db porting.db feature update 'server/server.go:Server.numReservedAccounts' --override "accounts: batch 19/20" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.NumActiveAccounts' --override "accounts: batch 19/20" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.incActiveAccounts' --override "accounts: batch 19/20" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.decActiveAccounts' --override "accounts: batch 19/20" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.numAccounts' --override "accounts: batch 19/20" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.NumLoadedAccounts' --override "accounts: batch 19/20" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.RegisterAccount' --override "accounts: batch 19/20" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.SetSystemAccount' --override "system events: batch 21" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.setSystemAccount' --override "system events: batch 21" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.createInternalSystemClient' --override "internal clients: batch 21 (events)" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.createInternalJetStreamClient' --override "internal clients: JetStream batch 27" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.createInternalAccountClient' --override "internal clients: batch 21 (events)" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.createInternalClient' --override "internal clients: batch 21 (events)" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.shouldTrackSubscriptions' --override "route protocol: batch 23 (Routes)" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.registerAccount' --override "accounts: batch 19/20" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.setAccountSublist' --override "accounts: batch 19/20" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.setRouteInfo' --override "route protocol: batch 23 (Routes)" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.lookupOrFetchAccount' --override "account resolvers: batch 20" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.updateAccount' --override "account resolvers: batch 20" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.updateAccountWithClaimJWT' --override "account resolvers: batch 20" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.fetchRawAccountClaims' --override "account resolvers: batch 20" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.fetchAccountClaims' --override "account resolvers: batch 20" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.verifyAccountClaims' --override "account resolvers: batch 20" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.fetchAccount' --override "account resolvers: batch 20" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.closeWebsocketServer' --override "websocket: batch 26" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.AcceptLoop' --override "goroutine accept loop for embedders/tests; C listens with libuv in server_start/server_listen" --status n_a
"$PT" --db porting.db feature update 'server/server.go:Server.getServerListener' --override "returns the Go net.Listener; C keeps the libuv handle in the server struct" --status n_a
"$PT" --db porting.db feature update 'server/server.go:Server.InProcessConn' --override "net.Pipe in-process connection for Go embedders; no in-process client in the C design" --status n_a
"$PT" --db porting.db feature update 'server/server.go:Server.acceptConnections' --override "goroutine accept loop over net.Listener; replaced by libuv connection callbacks (server_listen/server_create_client)" --status n_a
"$PT" --db porting.db feature map 'server/server.go:Server.setInfoHostPort' --c client_advertise_option_apply@src/server/reload.c
"$PT" --db porting.db feature update 'server/server.go:Server.StartProfiler' --override "Go pprof HTTP profiler; no Go runtime profiler in C (use perf/valgrind)" --status n_a
"$PT" --db porting.db feature update 'server/server.go:Server.setBlockProfileRate' --override "Go runtime block profiler (runtime.SetBlockProfileRate); no equivalent in C" --status n_a
"$PT" --db porting.db feature update 'server/server.go:Server.StartHTTPMonitoring' --override "exported wrapper; C starts monitoring via server_start_monitoring (batch 28 monitor)" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.StartHTTPSMonitoring' --override "TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db feature map 'server/server.go:Server.basePath' --c base_join@src/server/monitor.c
"$PT" --db porting.db feature update 'server/server.go:captureHTTPServerLog.Write' --override "io.Writer adapter for Go net/http's error log; the C monitor HTTP server logs through server_errorf directly" --status n_a
"$PT" --db porting.db feature update 'server/server.go:Server.getMonitoringTLSConfig' --override "TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.HTTPHandler' --override "returns Go's http.Handler for embedders; no net/http in C" --status n_a
"$PT" --db porting.db feature map 'server/server.go:Server.copyInfo' --c server_generate_client_info_json
"$PT" --db porting.db feature update 'server/server.go:tlsMixConn.Read' --override "TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.createClientInProcess' --override "in-process net.Pipe clients of Go embedders; no in-process client in the C design" --status n_a
"$PT" --db porting.db feature map 'server/server.go:Server.createClientEx' --c server_create_client@src/server/server.c
"$PT" --db porting.db feature update 'server/server.go:Server.addConnectURLsAndSendINFOToClients' --override "route protocol: batch 23 (Routes)" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.removeConnectURLsAndSendINFOToClients' --override "route protocol: batch 23 (Routes)" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.updateServerINFOAndSendINFOToClients' --override "route protocol: batch 23 (Routes)" --status deferred
"$PT" --db porting.db feature update 'server/server.go:tlsTimeout' --override "TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db feature update 'server/server.go:tlsVersion' --override "TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db feature map 'server/server.go:tlsVersionFromString' --c opts_parse_tls_version@src/server/opts.c
"$PT" --db porting.db feature update 'server/server.go:Server.removeProxiedConn' --override "proxy protocol: batch 3: client_proxyproto not ported yet" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.removeFromTempClients' --override "route protocol: batch 23 (Routes)" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.addToTempClients' --override "route protocol: batch 23 (Routes)" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.NumRoutes' --override "route protocol: batch 23 (Routes)" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.numRoutes' --override "route protocol: batch 23 (Routes)" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.NumRemotes' --override "route protocol: batch 23 (Routes)" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.numRemotes' --override "route protocol: batch 23 (Routes)" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.NumLeafNodes' --override "leafnode: batch 24" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.GetLeafNode' --override "leafnode: batch 24" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.NumStalledClients' --override "exported accessor for embedders of the Go server; cnatsd is a standalone process and reads the struct under the server lock" --status n_a
"$PT" --db porting.db feature update 'server/server.go:Server.NumSlowConsumersClients' --override "exported accessor for embedders of the Go server; cnatsd is a standalone process and reads the struct under the server lock" --status n_a
"$PT" --db porting.db feature update 'server/server.go:Server.NumSlowConsumersRoutes' --override "route protocol: batch 23 (Routes)" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.NumSlowConsumersGateways' --override "gateway: batch 25" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.NumSlowConsumersLeafs' --override "leafnode: batch 24" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.NumStaleConnectionsClients' --override "exported accessor for embedders of the Go server; cnatsd is a standalone process and reads the struct under the server lock" --status n_a
"$PT" --db porting.db feature update 'server/server.go:Server.NumStaleConnectionsRoutes' --override "route protocol: batch 23 (Routes)" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.NumStaleConnectionsGateways' --override "gateway: batch 25" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.NumStaleConnectionsLeafs' --override "leafnode: batch 24" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.ConfigTime' --override "exported accessor for embedders of the Go server; cnatsd is a standalone process and reads the struct under the server lock" --status n_a
"$PT" --db porting.db feature update 'server/server.go:Server.Addr' --override "exported accessor for embedders of the Go server; cnatsd is a standalone process and reads the struct under the server lock" --status n_a
"$PT" --db porting.db feature update 'server/server.go:Server.ClusterAddr' --override "route protocol: batch 23 (Routes)" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.ProfilerAddr' --override "Go pprof profiler listener; no profiler in C" --status n_a
"$PT" --db porting.db feature update 'server/server.go:Server.NodeName' --override "JetStream/raft node name: batch 27" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.String' --override "fmt.Stringer used only for fmt; C logs server_name directly" --status n_a
"$PT" --db porting.db feature update 'server/server.go:setGoRoutineLabels' --override "pprof goroutine labels; no goroutines in C" --status n_a
"$PT" --db porting.db feature update 'server/server.go:Server.startGoRoutine' --override "goroutine launcher with WaitGroup; C uses libuv loops and pthreads joined in server_join_threads" --status n_a
"$PT" --db porting.db feature update 'server/server.go:Server.numClosedConns' --override "test accessor over the closed ring; C monitor reads closed_ring_buffer_len under the lock" --status n_a
"$PT" --db porting.db feature update 'server/server.go:Server.totalClosedConns' --override "closed ring total counter: batch 44 ring (closedRingBuffer.totalConns)" --status deferred
"$PT" --db porting.db feature map 'server/server.go:Server.closedClients' --c closed_ring_buffer_closed_clients@src/server/monitor.c
"$PT" --db porting.db feature update 'server/server.go:Server.getClientConnectURLs' --override "connect_urls gossip: route protocol batch 23" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.getConnectURLs' --override "connect_urls gossip: route protocol batch 23" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.getNonLocalIPsIfHostIsIPAny' --override "connect_urls gossip: route protocol batch 23" --status deferred
"$PT" --db porting.db feature map 'server/server.go:resolveHostPorts' --c server_append_urls@src/server/server.c
"$PT" --db porting.db feature map 'server/server.go:formatURL' --c server_append_urls@src/server/server.c
"$PT" --db porting.db feature update 'server/server.go:Server.PortsInfo' --override "exported polling accessor for embedders/tests; C writes ports via server_port_file/server_log_ports" --status n_a
"$PT" --db porting.db feature update 'server/server.go:Server.deletePortsFile' --override "ports file removal on shutdown: not found in C (server_port_file writes it); batch 18" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.readyForListeners' --override "test/embedder polling helper over net.Listeners; C callers use server_ready_for_connections" --status n_a
"$PT" --db porting.db feature update 'server/server.go:Server.serviceListeners' --override "list of Go net.Listeners for readyForListeners; C keeps libuv handles" --status n_a
"$PT" --db porting.db feature map 'server/server.go:Server.LameDuckShutdown' --c server_lame_duck_mode
"$PT" --db porting.db feature update 'server/server.go:Server.sendLDMToRoutes' --override "route protocol: batch 23 (Routes)" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.acceptError' --override "Go net.Listener Accept error backoff; libuv reports accept errors to the connection callback" --status n_a
"$PT" --db porting.db feature update 'server/server.go:Server.getRandomIP' --override "route protocol: batch 23 (Routes)" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.shouldReportConnectErr' --override "route protocol: batch 23 (Routes)" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.updateRemoteSubscription' --override "route protocol: batch 23 (Routes)" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.startRateLimitLogExpiration' --override "rate-limited log cache expiry timer: server_rate_limit_load_or_store has no expiry yet (batch 18)" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.changeRateLimitLogInterval' --override "rate-limited log cache expiry timer: server_rate_limit_load_or_store has no expiry yet (batch 18)" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.DisconnectClientByID' --override "\$SYS kick/ldm requests: batch 21 (events)" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.LDMClientByID' --override "\$SYS kick/ldm requests: batch 21 (events)" --status deferred
"$PT" --db porting.db feature update 'server/server.go:Server.diskIOSemaphore' --override "filestore disk IO: batch 11-15 store" --status deferred
"$PT" --db porting.db test update 'server/server_test.go:TestVersionMatchesTag' --override "checks the Go VERSION constant against the CI git tag; C release process differs" --status n_a
"$PT" --db porting.db test update 'server/server_test.go:TestStartProfiler' --override "Go pprof profiler (n_a in C)" --status n_a
"$PT" --db porting.db test update 'server/server_test.go:TestTLSVersions' --override "needs TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db test update 'server/server_test.go:TestTLSMinVersionConfig' --override "needs TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db test update 'server/server_test.go:TestTLSCipher' --override "needs TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db test update 'server/server_test.go:TestGetConnectURLs' --override "needs connect_urls gossip: routes batch 23" --status deferred
"$PT" --db porting.db test update 'server/server_test.go:TestClientAdvertiseInCluster' --override "needs routes: batch 23" --status deferred
"$PT" --db porting.db test update 'server/server_test.go:TestProcessCommandLineArgs' --override "portable now: no blocking batch, C test not written yet (issue 6)" --status deferred
"$PT" --db porting.db test update 'server/server_test.go:TestCustomClientAuthentication' --override "Go embedding API (custom Authentication plugin); cnatsd has no plugin auth" --status n_a
"$PT" --db porting.db test update 'server/server_test.go:TestCustomRouterAuthentication' --override "needs routes: batch 23" --status deferred
"$PT" --db porting.db test update 'server/server_test.go:TestMonitoringNoTimeout' --override "portable now: no blocking batch, C test not written yet (issue 6)" --status deferred
"$PT" --db porting.db test update 'server/server_test.go:TestProfilingNoTimeout' --override "Go pprof profiler (n_a in C)" --status n_a
"$PT" --db porting.db test update 'server/server_test.go:TestServerValidateGatewaysOptions' --override "needs gateways: batch 25" --status deferred
"$PT" --db porting.db test update 'server/server_test.go:TestAcceptError' --override "tests Go net.Listener accept-error backoff (acceptError n_a: libuv)" --status n_a
"$PT" --db porting.db test update 'server/server_test.go:TestServerShutdownDuringStart' --override "portable now: no blocking batch, C test not written yet (issue 6)" --status deferred
"$PT" --db porting.db test update 'server/server_test.go:TestGetRandomIP' --override "needs routes: batch 23" --status deferred
"$PT" --db porting.db test update 'server/server_test.go:TestClientWriteLoopStall' --override "portable now: no blocking batch, C test not written yet (issue 6)" --status deferred
"$PT" --db porting.db test update 'server/server_test.go:TestInsecureSkipVerifyWarning' --override "needs TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db test update 'server/server_test.go:TestConnectErrorReports' --override "needs routes/leafnodes/gateways: batches 23-25" --status deferred
"$PT" --db porting.db test update 'server/server_test.go:TestReconnectErrorReports' --override "needs routes/leafnodes/gateways: batches 23-25" --status deferred
"$PT" --db porting.db test update 'server/server_test.go:TestServerRateLimitLogging' --override "needs rate-limit log expiry (changeRateLimitLogInterval, batch 18)" --status deferred
"$PT" --db porting.db test update 'server/server_test.go:TestServerAuthBlockAndSysAccounts' --override "needs system events (\$SYS.REQ.USER.INFO): batch 21" --status deferred
"$PT" --db porting.db test update 'server/server_test.go:TestServerClusterAndGatewayNameNoSpace' --override "needs gateways: batch 25" --status deferred
"$PT" --db porting.db test update 'server/server_test.go:TestServerClientURL' --override "tests exported accessor Server.ClientURL (n_a in C)" --status n_a
"$PT" --db porting.db test update 'server/server_test.go:TestServerJsonMarshalNestedStructsPanic' --override "Go encoding/json nested struct panic regression; C builds JSON with jansson" --status n_a
"$PT" --db porting.db test update 'test/gosrv_test.go:TestSimpleGoServerShutdown' --override "Go embedding test counting goroutines (runtime.NumGoroutine) after Shutdown; no goroutines in C" --status n_a
"$PT" --db porting.db test update 'test/gosrv_test.go:TestGoServerShutdownWithClients' --override "Go embedding test counting goroutines (runtime.NumGoroutine) after Shutdown; no goroutines in C" --status n_a
"$PT" --db porting.db test update 'test/gosrv_test.go:TestGoServerMultiShutdown' --override "Go embedding test counting goroutines (runtime.NumGoroutine) after Shutdown; no goroutines in C" --status n_a
"$PT" --db porting.db test update 'test/tls_test.go:TestTLSConnection' --override "needs TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db test update 'test/tls_test.go:TestTLSInProcessConnection' --override "needs TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db test update 'test/tls_test.go:TestTLSClientCertificate' --override "needs TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db test update 'test/tls_test.go:TestTLSClientCertificateHasUserID' --override "needs TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db test update 'test/tls_test.go:TestTLSClientCertificateCheckWithAllowedConnectionTypes' --override "needs TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db test update 'test/tls_test.go:TestTLSClientCertificateCNBasedAuth' --override "needs TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db test update 'test/tls_test.go:TestTLSClientCertificateSANsBasedAuth' --override "needs TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db test update 'test/tls_test.go:TestTLSClientCertificateNoSubjectWithSANAuth' --override "needs TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db test update 'test/tls_test.go:TestTLSClientCertificateTLSAuthMultipleOptions' --override "needs TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db test update 'test/tls_test.go:TestTLSRoutesCertificateCNBasedAuth' --override "needs TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db test update 'test/tls_test.go:TestTLSGatewaysCertificateCNBasedAuth' --override "needs TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db test update 'test/tls_test.go:TestTLSVerifyClientCertificate' --override "needs TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db test update 'test/tls_test.go:TestTLSConnectionTimeout' --override "needs TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db test update 'test/tls_test.go:TestTLSAuthorizationShortTimeout' --override "needs TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db test update 'test/tls_test.go:TestClientTLSAndNonTLSConnections' --override "needs TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db test update 'test/tls_test.go:TestTLSStressConnect' --override "needs TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db test update 'test/tls_test.go:TestTLSBadAuthError' --override "needs TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db test update 'test/tls_test.go:TestTLSConnectionCurvePref' --override "needs TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db test update 'test/tls_test.go:TestTLSTimeoutNotReportSlowConsumer' --override "needs TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db test update 'test/tls_test.go:TestTLSHandshakeFailureMemUsage' --override "needs TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db test update 'test/tls_test.go:TestTLSClientAuthWithRDNSequence' --override "needs TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db test update 'test/tls_test.go:TestTLSClientAuthWithRDNSequenceReordered' --override "needs TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db test update 'test/tls_test.go:TestTLSClientSVIDAuth' --override "needs TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db test update 'test/tls_test.go:TestTLSPinnedCertsClient' --override "needs TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db test update 'test/tls_test.go:TestTLSConnectionRate' --override "needs TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db test update 'test/tls_test.go:TestTLSPinnedCertsRoute' --override "needs TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db test update 'test/tls_test.go:TestAllowNonTLSReload' --override "needs TLS: issue 8 (batch 9)" --status deferred
# batch 44
"$PT" --db porting.db feature update 'server/dios.go:newDiskIOSemaphore' --override "filestore disk IO: batch 11-15 store" --status deferred
"$PT" --db porting.db feature update 'server/dios.go:defaultDiskIOSemaphore' --override "filestore disk IO: batch 11-15 store" --status deferred
"$PT" --db porting.db feature update 'server/dios.go:diskIOSemaphore.acquire' --override "filestore disk IO: batch 11-15 store" --status deferred
"$PT" --db porting.db feature update 'server/dios.go:diskIOSemaphore.countWait' --override "filestore disk IO: batch 11-15 store" --status deferred
"$PT" --db porting.db feature update 'server/dios.go:diskIOSemaphore.release' --override "filestore disk IO: batch 11-15 store" --status deferred
"$PT" --db porting.db feature update 'server/dios.go:diskIOSemaphore.cap' --override "filestore disk IO: batch 11-15 store" --status deferred
"$PT" --db porting.db feature update 'server/elastic/elastic.go:Make' --override "Go weak/strong pointer wrapper (weak.Pointer) so the GC may reclaim filestore caches; C frees caches explicitly" --status n_a
"$PT" --db porting.db feature update 'server/elastic/elastic.go:Pointer.Set' --override "Go weak/strong pointer wrapper (weak.Pointer) so the GC may reclaim filestore caches; C frees caches explicitly" --status n_a
"$PT" --db porting.db feature update 'server/elastic/elastic.go:Pointer.Strengthen' --override "Go weak/strong pointer wrapper (weak.Pointer) so the GC may reclaim filestore caches; C frees caches explicitly" --status n_a
"$PT" --db porting.db feature update 'server/elastic/elastic.go:Pointer.Weaken' --override "Go weak/strong pointer wrapper (weak.Pointer) so the GC may reclaim filestore caches; C frees caches explicitly" --status n_a
"$PT" --db porting.db feature update 'server/elastic/elastic.go:Pointer.Value' --override "Go weak/strong pointer wrapper (weak.Pointer) so the GC may reclaim filestore caches; C frees caches explicitly" --status n_a
"$PT" --db porting.db feature update 'server/errors.go:mappingDestinationErr.Error' --override "Go error interface method; subject_transform returns error codes and writes the message into the caller's buffer" --status n_a
"$PT" --db porting.db feature update 'server/errors.go:mappingDestinationErr.Is' --override "Go errors.Is hook; C compares subject_transform error codes" --status n_a
"$PT" --db porting.db feature map 'server/errors.go:configErr.Source' --c opts_token_source@src/server/opts.c
"$PT" --db porting.db feature update 'server/errors.go:configErr.Error' --override "Go error interface method; C formats 'file:line:col: msg' when the error is added (opts_err_list_add)" --status n_a
"$PT" --db porting.db feature update 'server/errors.go:unknownConfigFieldErr.Error' --override "Go error interface method; C formats the message when the error is added (opts_err_list_add)" --status n_a
"$PT" --db porting.db feature update 'server/errors.go:configWarningErr.Error' --override "Go error interface method; C formats the message when the warning is added (opts_err_list_add)" --status n_a
"$PT" --db porting.db feature update 'server/errors.go:processConfigErr.Error' --override "Go error interface method; C opts_process_err keeps formatted error/warning string lists" --status n_a
"$PT" --db porting.db feature update 'server/errors.go:processConfigErr.Warnings' --override "slice accessor; C opts_process_err exposes the warnings list fields" --status n_a
"$PT" --db porting.db feature update 'server/errors.go:processConfigErr.Errors' --override "slice accessor; C opts_process_err exposes the errors list fields" --status n_a
"$PT" --db porting.db feature update 'server/errors.go:NewErrorCtx' --override "Go error wrapping with context (errors.Unwrap chain); C returns error codes with message buffers" --status n_a
"$PT" --db porting.db feature update 'server/errors.go:errCtx.Unwrap' --override "Go error wrapping with context (errors.Unwrap chain); C returns error codes with message buffers" --status n_a
"$PT" --db porting.db feature update 'server/errors.go:errCtx.Context' --override "Go error wrapping with context (errors.Unwrap chain); C returns error codes with message buffers" --status n_a
"$PT" --db porting.db feature update 'server/errors.go:UnpackIfErrorCtx' --override "Go error wrapping with context (errors.Unwrap chain); C returns error codes with message buffers" --status n_a
"$PT" --db porting.db feature update 'server/errors.go:errorsUnwrap' --override "Go errors.Unwrap helper; C returns error codes with message buffers" --status n_a
"$PT" --db porting.db feature update 'server/errors.go:ErrorIs' --override "Go errors.Is helper; C compares error codes" --status n_a
"$PT" --db porting.db feature update 'server/feature_flags.go:Options.getFeatureFlag' --override "feature flags are only consumed by JetStream: batch 27 (parsed in opts.c, reported by varz)" --status deferred
"$PT" --db porting.db feature update 'server/feature_flags.go:Options.getMergedFeatureFlags' --override "merged inline in server_varz (monitor.c) over the known flags; consumers are JetStream: batch 27" --status deferred
"$PT" --db porting.db feature update 'server/feature_flags.go:Server.printFeatureFlags' --override "feature flags are only consumed by JetStream: batch 27" --status deferred
"$PT" --db porting.db feature update 'server/ipqueue.go:ipqMaxRecycleSize' --override "intra-process queues for internal clients/JetStream/raft: internal clients: batch 21 (events), JetStream: batch 27" --status deferred
"$PT" --db porting.db feature update 'server/ipqueue.go:ipqSizeCalculation' --override "intra-process queues for internal clients/JetStream/raft: internal clients: batch 21 (events), JetStream: batch 27" --status deferred
"$PT" --db porting.db feature update 'server/ipqueue.go:ipqLimitBySize' --override "intra-process queues for internal clients/JetStream/raft: internal clients: batch 21 (events), JetStream: batch 27" --status deferred
"$PT" --db porting.db feature update 'server/ipqueue.go:ipqLimitByLen' --override "intra-process queues for internal clients/JetStream/raft: internal clients: batch 21 (events), JetStream: batch 27" --status deferred
"$PT" --db porting.db feature update 'server/ipqueue.go:newIPQueue' --override "intra-process queues for internal clients/JetStream/raft: internal clients: batch 21 (events), JetStream: batch 27" --status deferred
"$PT" --db porting.db feature update 'server/ipqueue.go:ipQueue.push' --override "intra-process queues for internal clients/JetStream/raft: internal clients: batch 21 (events), JetStream: batch 27" --status deferred
"$PT" --db porting.db feature update 'server/ipqueue.go:ipQueue.pop' --override "intra-process queues for internal clients/JetStream/raft: internal clients: batch 21 (events), JetStream: batch 27" --status deferred
"$PT" --db porting.db feature update 'server/ipqueue.go:ipQueue.popOne' --override "intra-process queues for internal clients/JetStream/raft: internal clients: batch 21 (events), JetStream: batch 27" --status deferred
"$PT" --db porting.db feature update 'server/ipqueue.go:ipQueue.recycle' --override "intra-process queues for internal clients/JetStream/raft: internal clients: batch 21 (events), JetStream: batch 27" --status deferred
"$PT" --db porting.db feature update 'server/ipqueue.go:ipQueue.len' --override "intra-process queues for internal clients/JetStream/raft: internal clients: batch 21 (events), JetStream: batch 27" --status deferred
"$PT" --db porting.db feature update 'server/ipqueue.go:ipQueue.size' --override "intra-process queues for internal clients/JetStream/raft: internal clients: batch 21 (events), JetStream: batch 27" --status deferred
"$PT" --db porting.db feature update 'server/ipqueue.go:ipQueue.drain' --override "intra-process queues for internal clients/JetStream/raft: internal clients: batch 21 (events), JetStream: batch 27" --status deferred
"$PT" --db porting.db feature update 'server/ipqueue.go:ipQueue.inProgress' --override "intra-process queues for internal clients/JetStream/raft: internal clients: batch 21 (events), JetStream: batch 27" --status deferred
"$PT" --db porting.db feature update 'server/ipqueue.go:ipQueue.unregister' --override "intra-process queues for internal clients/JetStream/raft: internal clients: batch 21 (events), JetStream: batch 27" --status deferred
"$PT" --db porting.db feature update 'server/rate_counter.go:newRateCounter' --override "TLS connection rate limit: TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db feature update 'server/rate_counter.go:rateCounter.allow' --override "TLS connection rate limit: TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db feature update 'server/rate_counter.go:rateCounter.countBlocked' --override "TLS connection rate limit: TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db feature map 'server/ring.go:newClosedRingBuffer' --c monitor_new
"$PT" --db porting.db feature update 'server/ring.go:closedRingBuffer.next' --override "closed ring is indexed inline in monitor.c; no separate next() (review before mapping)" --status deferred
"$PT" --db porting.db feature update 'server/ring.go:closedRingBuffer.totalConns' --override "closed total is derived inline in monitor.c connz (review before mapping)" --status deferred
"$PT" --db porting.db feature update 'server/sdm.go:newSDMMeta' --override "subject delete markers: JetStream: batch 27" --status deferred
"$PT" --db porting.db feature update 'server/sdm.go:isSubjectDeleteMarker' --override "subject delete markers: JetStream: batch 27" --status deferred
"$PT" --db porting.db feature update 'server/sdm.go:SDMMeta.empty' --override "subject delete markers: JetStream: batch 27" --status deferred
"$PT" --db porting.db feature update 'server/sdm.go:SDMMeta.trackPending' --override "subject delete markers: JetStream: batch 27" --status deferred
"$PT" --db porting.db feature update 'server/sdm.go:SDMMeta.removeSeqAndSubject' --override "subject delete markers: JetStream: batch 27" --status deferred
"$PT" --db porting.db test update 'server/errors_test.go:TestErrCtx' --override "tests Go error wrapping (errCtx n_a in C)" --status n_a
"$PT" --db porting.db test update 'server/errors_test.go:TestErrCtxWrapped' --override "tests Go error wrapping (errCtx n_a in C)" --status n_a
"$PT" --db porting.db test update 'server/feature_flags_test.go:TestGetFeatureFlag' --override "needs feature flag accessors (consumed by JetStream: batch 27)" --status deferred
"$PT" --db porting.db test update 'server/feature_flags_test.go:TestFeatureFlagsConfigParseNonBool' --override "portable now: no blocking batch, C test not written yet (issue 6)" --status deferred
"$PT" --db porting.db test update 'server/feature_flags_test.go:TestGetMergedFeatureFlags' --override "needs feature flag accessors (consumed by JetStream: batch 27)" --status deferred
"$PT" --db porting.db test update 'server/ipqueue_test.go:TestIPQueueBasic' --override "needs ipQueue: internal clients batch 21 (events)/JetStream batch 27" --status deferred
"$PT" --db porting.db test update 'server/ipqueue_test.go:TestIPQueuePush' --override "needs ipQueue: internal clients batch 21 (events)/JetStream batch 27" --status deferred
"$PT" --db porting.db test update 'server/ipqueue_test.go:TestIPQueuePop' --override "needs ipQueue: internal clients batch 21 (events)/JetStream batch 27" --status deferred
"$PT" --db porting.db test update 'server/ipqueue_test.go:TestIPQueuePopOne' --override "needs ipQueue: internal clients batch 21 (events)/JetStream batch 27" --status deferred
"$PT" --db porting.db test update 'server/ipqueue_test.go:TestIPQueueMultiProducers' --override "needs ipQueue: internal clients batch 21 (events)/JetStream batch 27" --status deferred
"$PT" --db porting.db test update 'server/ipqueue_test.go:TestIPQueueRecycle' --override "needs ipQueue: internal clients batch 21 (events)/JetStream batch 27" --status deferred
"$PT" --db porting.db test update 'server/ipqueue_test.go:TestIPQueueDrain' --override "needs ipQueue: internal clients batch 21 (events)/JetStream batch 27" --status deferred
"$PT" --db porting.db test update 'server/ipqueue_test.go:TestIPQueueSizeCalculation' --override "needs ipQueue: internal clients batch 21 (events)/JetStream batch 27" --status deferred
"$PT" --db porting.db test update 'server/ipqueue_test.go:TestIPQueueSizeCalculationWithLimits' --override "needs ipQueue: internal clients batch 21 (events)/JetStream batch 27" --status deferred
"$PT" --db porting.db test update 'server/rate_counter_test.go:TestRateCounter' --override "needs TLS connection rate limit: TLS: issue 8 (batch 9)" --status deferred
"$PT" --db porting.db test update 'server/ring_test.go:TestRBAppendAndLenAndTotal' --override "closed ring is static in src/server/monitor.c: needs a unit-test seam (issue 6)" --status deferred
"$PT" --db porting.db test update 'server/ring_test.go:TestRBclosedClients' --override "closed ring is static in src/server/monitor.c: needs a unit-test seam (issue 6)" --status deferred
"$PT" --db porting.db test update 'server/split_test.go:TestSplitDanglingArgBuf' --override "partly ported: the client half is test_split_dangling_arg_buf; the RMSG half needs routes (batch 23)" --status deferred
"$PT" --db porting.db test update 'server/parser_test.go:TestParsePingNoAuthUserEnforcesUserRestrictions' --override "partly ported: TCP and proxy cases in test_parse_ping_no_auth_user_enforces_user_restrictions; websocket cases need batch 26" --status deferred
"$PT" --db porting.db test update 'server/split_test.go:TestSplitBufferSubOp' --clear-override
"$PT" --db porting.db test update 'server/split_test.go:TestSplitBufferUnsubOp' --clear-override
"$PT" --db porting.db test update 'server/split_test.go:TestSplitConnectArg' --clear-override
"$PT" --db porting.db test update 'server/split_test.go:TestSplitBufferPubOp' --clear-override
"$PT" --db porting.db test update 'server/split_test.go:TestSplitBufferPubOp2' --clear-override
"$PT" --db porting.db test update 'server/split_test.go:TestSplitBufferPubOp3' --clear-override
"$PT" --db porting.db test update 'server/split_test.go:TestSplitBufferPubOp4' --clear-override
"$PT" --db porting.db test update 'server/split_test.go:TestSplitBufferPubOp5' --clear-override
"$PT" --db porting.db test update 'server/parser_test.go:TestParsePingNoAuthUserExceptionsAndRestrictions' --clear-override
"$PT" --db porting.db test update 'server/server_test.go:TestClientAdvertiseErrorOnStartup' --clear-override
"$PT" --db porting.db test update 'server/server_test.go:TestNoDeadlockOnStartFailure' --clear-override
"$PT" --db porting.db test update 'server/server_test.go:TestNilMonitoringPort' --clear-override
"$PT" --db porting.db test update 'server/server_test.go:TestLameDuckOptionsValidation' --clear-override
"$PT" --db porting.db test update 'server/server_test.go:TestServerConfigLastLineComments' --clear-override
