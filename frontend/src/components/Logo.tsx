/** The product mark (the same drawing as public/favicon.svg). */
export function LogoMark({ size = 28 }: { size?: number }) {
  return (
    <svg className="logo-mark" width={size} height={size} viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <rect width="32" height="32" rx="8" fill="currentColor" />
      <g fill="none" stroke="#fff" strokeWidth="2.6" strokeLinecap="round" strokeLinejoin="round">
        <path d="M9.5 13.5a7 7 0 0 1 12.3-3.6" />
        <path d="M23.6 6.6v4.6H19" />
        <path d="M22.5 18.5a7 7 0 0 1-12.3 3.6" />
        <path d="M8.4 25.4v-4.6H13" />
      </g>
    </svg>
  );
}
