/** EC2's bounds on `MaxResults` for DescribeInstances and DescribeNetworkInterfaces. */
export const MIN_PAGE_SIZE = 5;
export const MAX_PAGE_SIZE = 1000;
