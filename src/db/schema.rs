//! Table definitions shared by both backends: only portable SQL types (text, integers, booleans).

diesel::table! {
    consultations (id) {
        id -> Text,
        slug -> Text,
        title_en -> Text,
        title_fr -> Text,
        theme_en -> Text,
        theme_fr -> Text,
        venue_en -> Text,
        venue_fr -> Text,
        starts_on -> Text,
        ends_on -> Text,
        created_at -> Text,
    }
}

diesel::table! {
    purposes (id) {
        id -> Text,
        consultation_id -> Text,
        position -> Integer,
        text_en -> Text,
        text_fr -> Text,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        consultation_id -> Text,
        number -> Integer,
        title_en -> Text,
        title_fr -> Text,
    }
}

diesel::table! {
    segments (id) {
        id -> Text,
        consultation_id -> Text,
        session_id -> Text,
        key -> Text,
        kind -> Text,
        position -> Integer,
        title_en -> Text,
        title_fr -> Text,
    }
}

diesel::table! {
    objectives (id) {
        id -> Text,
        consultation_id -> Text,
        session_id -> Text,
        segment_id -> Nullable<Text>,
        position -> Integer,
        text_en -> Text,
        text_fr -> Text,
    }
}

diesel::table! {
    questions (id) {
        id -> Text,
        consultation_id -> Text,
        session_id -> Nullable<Text>,
        segment_id -> Nullable<Text>,
        parent_id -> Nullable<Text>,
        position -> Integer,
        label -> Nullable<Text>,
        text_en -> Text,
        text_fr -> Text,
    }
}

diesel::table! {
    question_references (question_id, position) {
        question_id -> Text,
        position -> Integer,
        consultation_id -> Text,
        document -> Text,
        section -> Nullable<Text>,
        paragraph -> Integer,
    }
}

diesel::table! {
    breakout_groups (id) {
        id -> Text,
        consultation_id -> Text,
        segment_id -> Text,
        name -> Text,
        created_at -> Text,
    }
}

diesel::table! {
    breakout_group_regions (group_id, region) {
        group_id -> Text,
        region -> Text,
    }
}

diesel::table! {
    taxonomies (key) {
        key -> Text,
        position -> Integer,
        title_en -> Text,
        title_fr -> Text,
    }
}

diesel::table! {
    taxonomy_terms (id) {
        id -> Text,
        taxonomy_key -> Text,
        code -> Text,
        position -> Integer,
        label_en -> Text,
        label_fr -> Text,
        title_en -> Text,
        title_fr -> Text,
        unverified -> Bool,
    }
}

diesel::table! {
    organisations (id) {
        id -> Text,
        seed_key -> Nullable<Text>,
        name -> Text,
        acronym -> Nullable<Text>,
        kind -> Text,
        created_at -> Text,
    }
}

diesel::table! {
    organisation_regions (organisation_id, region) {
        organisation_id -> Text,
        region -> Text,
    }
}

diesel::table! {
    api_clients (id) {
        id -> Text,
        organisation_id -> Text,
        name -> Text,
        secret_hash -> Text,
        scopes -> Text,
        created_at -> Text,
        revoked_at -> Nullable<Text>,
    }
}

diesel::table! {
    signing_keys (kid) {
        kid -> Text,
        private_key -> Text,
        public_key -> Text,
        created_at -> Text,
    }
}

diesel::joinable!(api_clients -> organisations (organisation_id));

diesel::table! {
    contributions (id) {
        id -> Text,
        consultation -> Text,
        session -> Nullable<Integer>,
        segment -> Nullable<Text>,
        group_id -> Nullable<Text>,
        kind -> Text,
        practice_category -> Nullable<Text>,
        title -> Text,
        summary -> Nullable<Text>,
        body -> Text,
        language -> Text,
        scope -> Nullable<Text>,
        replicable -> Nullable<Bool>,
        replicability_notes -> Nullable<Text>,
        external_ref -> Nullable<Text>,
        status -> Text,
        version -> Integer,
        organisation_id -> Text,
        org_kind -> Text,
        created_by -> Text,
        endorsement_count -> Integer,
        progress_status -> Nullable<Text>,
        question_ids -> Text,
        regions -> Text,
        themes -> Text,
        links -> Text,
        search_terms -> Text,
        created_at -> Text,
        updated_at -> Text,
        submitted_at -> Nullable<Text>,
        published_at -> Nullable<Text>,
        rank_terms -> Nullable<Text>,
    }
}

diesel::table! {
    contribution_regions (contribution_id, region) {
        contribution_id -> Text,
        region -> Text,
    }
}

diesel::table! {
    contribution_themes (contribution_id, term_id) {
        contribution_id -> Text,
        term_id -> Text,
    }
}

diesel::table! {
    contribution_questions (contribution_id, question_id) {
        contribution_id -> Text,
        question_id -> Text,
    }
}

diesel::table! {
    contribution_revisions (contribution_id, version) {
        contribution_id -> Text,
        version -> Integer,
        at -> Text,
        by_client -> Text,
        status -> Text,
        snapshot -> Text,
    }
}

diesel::table! {
    endorsements (contribution_id, organisation_id) {
        contribution_id -> Text,
        organisation_id -> Text,
        note -> Nullable<Text>,
        created_by -> Text,
        created_at -> Text,
    }
}

diesel::table! {
    idempotency_keys (organisation_id, key) {
        organisation_id -> Text,
        key -> Text,
        request_hash -> Text,
        status -> Integer,
        response -> Text,
        created_at -> Text,
    }
}

diesel::table! {
    changes (seq) {
        seq -> BigInt,
        txid -> BigInt,
        contribution_id -> Text,
        version -> Integer,
        event -> Text,
        organisation_id -> Text,
        status_before -> Nullable<Text>,
        status_after -> Text,
        snapshot -> Text,
        at -> Text,
    }
}

diesel::table! {
    webhooks (id) {
        id -> Text,
        organisation_id -> Text,
        reviewer -> Bool,
        created_by -> Text,
        url -> Text,
        events -> Text,
        secret -> Text,
        previous_secret -> Nullable<Text>,
        previous_secret_until -> Nullable<Text>,
        active -> Bool,
        disabled_reason -> Nullable<Text>,
        failure_streak -> Integer,
        cursor_txid -> BigInt,
        cursor_seq -> BigInt,
        lease_owner -> Nullable<Text>,
        lease_until -> Nullable<Text>,
        created_at -> Text,
        updated_at -> Text,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Text,
        webhook_id -> Text,
        position -> BigInt,
        change_seq -> BigInt,
        event -> Text,
        payload -> Text,
        status -> Text,
        attempts -> Integer,
        last_status_code -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        next_attempt_at -> Text,
        created_at -> Text,
        delivered_at -> Nullable<Text>,
    }
}

diesel::table! {
    outcomes (id) {
        id -> Text,
        consultation -> Text,
        kind -> Text,
        session -> Nullable<Integer>,
        segment -> Nullable<Text>,
        group_id -> Nullable<Text>,
        title -> Text,
        text -> Text,
        status -> Text,
        organisation_id -> Text,
        created_by -> Text,
        created_at -> Text,
        updated_at -> Text,
        adopted_at -> Nullable<Text>,
        transmitted_at -> Nullable<Text>,
    }
}

diesel::table! {
    outcome_contributions (outcome_id, contribution_id) {
        outcome_id -> Text,
        contribution_id -> Text,
        position -> Integer,
    }
}

diesel::table! {
    progress_reports (id) {
        id -> Text,
        contribution_id -> Text,
        status -> Text,
        note -> Nullable<Text>,
        as_of -> Text,
        created_by -> Text,
        created_at -> Text,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    outcomes,
    outcome_contributions,
    progress_reports,
    changes,
    webhooks,
    webhook_deliveries,
    consultations,
    purposes,
    sessions,
    segments,
    objectives,
    questions,
    question_references,
    breakout_groups,
    breakout_group_regions,
    taxonomies,
    taxonomy_terms,
    organisations,
    organisation_regions,
    api_clients,
    signing_keys,
    contributions,
    contribution_regions,
    contribution_themes,
    contribution_questions,
    contribution_revisions,
    endorsements,
    idempotency_keys,
);
