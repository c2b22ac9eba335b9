// Owns the Tastytrade JSON of who trades on the venue: the customer, the user, each account and its trading status.
import { isoTime } from '../format.js';
import type { JsonObject } from '../types.js';
import type { AccountRecord } from './ledger.js';

/** Ids of the one simulated customer and user behind every venue account (derived from the venue's seed). */
export interface CustomerIdentity {
  customerExternalId: string;
  userExternalId: string;
  userId: number;
  /** When the customer was created: the venue's start. */
  createdAt: number;
}

/** Clearly fictitious personal data: the venue never holds anyone's real details. */
const PERSON = {
  first: 'Paper',
  last: 'Trader',
  email: 'paper.trader@legwork.invalid',
  username: 'legwork-sim',
  birthDate: '1970-01-01',
};
const ADDRESS = {
  'street-one': '1 Simulated Way',
  city: 'Chicago',
  'state-region': 'IL',
  'postal-code': '60607',
  country: 'US',
  'is-foreign': false,
  'is-domestic': true,
};
const MARGIN_TYPES = [
  { name: 'Cash', 'is-margin': false },
  { name: 'Cash Secured Margin', 'is-margin': true },
  { name: 'IRA Margin', 'is-margin': true },
  { name: 'Reg T', 'is-margin': true },
  { name: 'Portfolio Margin', 'is-margin': true },
];

/**
 * GET /customers/me. Key set and value types of tasty-go's recorded response (customers_test.go getCustomerResp, 2023;
 * `id` is literally "me" there), plus `created-at`, which the tastyware client's Customer model requires.
 */
export function customerWire(identity: CustomerIdentity): JsonObject {
  return {
    id: 'me',
    'first-name': PERSON.first,
    'last-name': PERSON.last,
    'first-surname': PERSON.last,
    address: { ...ADDRESS },
    'mailing-address': { ...ADDRESS },
    'customer-suitability': {
      id: identity.userId,
      'marital-status': 'SINGLE',
      'number-of-dependents': 0,
      'employment-status': 'EMPLOYED',
      occupation: 'Technology',
      'employer-name': 'Simulated',
      'job-title': 'Paper trader',
      'annual-net-income': 0,
      'net-worth': 0,
      'liquid-net-worth': 0,
      'stock-trading-experience': 'EXTENSIVE',
      'covered-options-trading-experience': 'EXTENSIVE',
      'uncovered-options-trading-experience': 'EXTENSIVE',
      'futures-trading-experience': 'NONE',
    },
    'usa-citizenship-type': 'Citizen',
    'is-foreign': false,
    'mobile-phone-number': '+15555550100',
    'work-phone-number': '',
    'home-phone-number': '',
    email: PERSON.email,
    'tax-number-type': 'SSN',
    'tax-number': '*****0000',
    'birth-date': PERSON.birthDate,
    'external-id': identity.customerExternalId,
    'citizenship-country': 'USA',
    'subject-to-tax-withholding': false,
    'agreed-to-margining': true,
    'agreed-to-terms': true,
    'has-industry-affiliation': false,
    'has-political-affiliation': false,
    'has-listed-affiliation': false,
    'is-investment-adviser': false,
    'has-institutional-assets': false,
    'is-professional': false,
    'has-delayed-quotes': false,
    'has-pending-or-approved-application': true,
    'permitted-account-types': [
      {
        name: 'Individual',
        description: '',
        'is-tax-advantaged': false,
        'has-multiple-owners': false,
        'is-publicly-available': true,
        'margin-types': MARGIN_TYPES,
      },
    ],
    'created-at': isoTime(identity.createdAt),
    'identifiable-type': 'Person',
    person: {
      'external-id': identity.userExternalId.replace(/^U/, 'P'),
      'first-name': PERSON.first,
      'last-name': PERSON.last,
      'birth-date': PERSON.birthDate,
      'citizenship-country': 'USA',
      'usa-citizenship-type': 'Citizen',
      'marital-status': 'SINGLE',
      'number-of-dependents': 0,
      'employment-status': 'EMPLOYED',
      occupation: 'Technology',
      'employer-name': 'Simulated',
      'job-title': 'Paper trader',
    },
  };
}

/** POST /sessions/validate: the user, as tasty-go recorded it (session_test.go sessionValidateResp, 2023). */
export function userWire(identity: CustomerIdentity): JsonObject {
  return {
    email: PERSON.email,
    username: PERSON.username,
    'external-id': identity.userExternalId,
    id: identity.userId,
  };
}

const optionsLevel = (account: AccountRecord) =>
  account.marginOrCash === 'Margin' ? 'No Restrictions' : 'Defined Risk Spreads';

/** GET /customers/me/accounts/:n, and the `account` member of each GET /customers/me/accounts item. */
export function accountDetailWire(account: AccountRecord, externalId: string): JsonObject {
  const opened = isoTime(account.openedAt);
  return {
    'account-number': account.accountNumber,
    'external-id': externalId,
    'opened-at': opened,
    nickname: account.nickname,
    'account-type-name': 'Individual',
    'day-trader-status': false,
    'is-closed': false,
    'is-firm-error': false,
    'is-firm-proprietary': false,
    'is-futures-approved': false,
    'is-test-drive': false,
    'margin-or-cash': account.marginOrCash,
    'is-foreign': false,
    'funding-date': opened.slice(0, 10),
    'investment-objective': 'SPECULATION',
    'suitable-options-level': optionsLevel(account),
    'created-at': opened,
  };
}

/** One item of GET /customers/me/accounts. */
export function accountWire(account: AccountRecord, externalId: string): JsonObject {
  return { account: accountDetailWire(account, externalId), 'authority-level': 'owner' };
}

/**
 * GET /accounts/:n/trading-status: the recorded key set (http_get_accounts_trading-status__ira.json). The venue has no
 * day-trade counting, margin calls or closing-only states, so those read 0/false; the margin type follows the account.
 */
export function tradingStatusWire(account: AccountRecord, id: number): JsonObject {
  const margin = account.marginOrCash === 'Margin';
  return {
    'account-number': account.accountNumber,
    'day-trade-count': 0,
    'equities-margin-calculation-type': margin ? 'Reg T' : 'Cash',
    'fee-schedule-name': 'default',
    'futures-margin-rate-multiplier': '0.0',
    'has-intraday-equities-margin': false,
    id,
    'is-aggregated-at-clearing': false,
    'is-closed': false,
    'is-closing-only': false,
    'is-cryptocurrency-closing-only': false,
    'is-cryptocurrency-enabled': false,
    'is-frozen': false,
    'is-full-equity-margin-required': !margin,
    'is-futures-closing-only': false,
    'is-futures-intra-day-enabled': false,
    'is-futures-enabled': false,
    'is-in-day-trade-equity-maintenance-call': false,
    'is-in-margin-call': false,
    'is-pattern-day-trader': false,
    'is-portfolio-margin-enabled': false,
    'is-risk-reducing-only': false,
    'is-small-notional-futures-intra-day-enabled': false,
    'is-roll-the-day-forward-enabled': true,
    'are-far-otm-net-options-restricted': true,
    'options-level': optionsLevel(account),
    'short-calls-enabled': margin,
    'small-notional-futures-margin-rate-multiplier': '0.0',
    'is-equity-offering-enabled': false,
    'is-equity-offering-closing-only': false,
    'enhanced-fraud-safeguards-enabled-at': isoTime(account.openedAt),
    'updated-at': isoTime(account.updatedAt),
  };
}
