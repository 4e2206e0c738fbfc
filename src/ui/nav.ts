/**
 * @module
 * The dashboard's navigation: every page of the dashboard, whichever file serves it. A page names its
 * entry by `id` (UiPage.nav) so the header marks it current.
 */
export interface NavEntry {
  id: string
  label: string
  href: string
}

export const NAV: readonly NavEntry[] = [
  { id: 'functions', label: 'Functions', href: '/ui/' },
  { id: 'backends', label: 'Backends', href: '/ui/backends' },
  { id: 'domains', label: 'Domains', href: '/ui/domains' },
  { id: 'async', label: 'Async calls', href: '/ui/async' },
  { id: 'dead-letters', label: 'Dead letters', href: '/ui/dead-letters' },
  { id: 'secrets', label: 'Secrets', href: '/ui/secrets' },
  { id: 'namespaces', label: 'Namespaces', href: '/ui/namespaces' },
]
