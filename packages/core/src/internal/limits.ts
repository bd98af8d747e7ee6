/** EC2's bounds on `MaxResults` for DescribeInstances and DescribeNetworkInterfaces. */
export const MIN_PAGE_SIZE = 5;
/** See `MIN_PAGE_SIZE`. */
export const MAX_PAGE_SIZE = 1000;
