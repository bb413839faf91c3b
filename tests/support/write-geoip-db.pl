#!/usr/bin/perl
# Writes a small GeoIP2-Country style MaxMind DB for tests, so no real
# (licensed, large, changing) database is needed.
#
#   write-geoip-db.pl OUTPUT.mmdb NETWORK=CODE [NETWORK=CODE ...]
#
# NETWORK is IPv4 or IPv6 CIDR (127.0.0.0/8, ::1/128, 192.0.2.0/24).
# CODE is the ISO code stored as country.iso_code; "registered:CODE" stores it
# only as registered_country.iso_code (what a reader falls back to), and an
# empty CODE stores a record with neither (a network the database knows but
# has no country for). A more specific network wins over one containing it,
# whatever the order of the arguments.
use strict;
use warnings;

use MaxMind::DB::Writer::Tree;

my ($output, @pairs) = @ARGV;
die "usage: $0 OUTPUT.mmdb NETWORK=CODE [NETWORK=CODE ...]\n"
    unless defined $output && @pairs;

my @networks;
for my $pair (@pairs) {
    my ($network, $code) = $pair =~ m{\A([^=]+/(\d+))=(.*)\z}
        ? ($1, $3)
        : die "$0: '$pair' is not NETWORK/PREFIX=CODE\n";
    my ($prefix) = $network =~ m{/(\d+)\z};
    # An IPv4 prefix lives 96 bits deep in the IPv6 tree; compare like with
    # like so the sort below puts containing networks first.
    $prefix += 96 unless $network =~ /:/;
    push @networks, { network => $network, prefix => $prefix, data => record_for($code) };
}

# The data of each record, shaped like MaxMind's Country databases (only the
# keys a reader of the country needs, plus one so a record is never empty).
sub record_for {
    my ($code) = @_;
    my %record = (test_record => 'write-geoip-db.pl');
    if ($code =~ /\Aregistered:(.+)\z/) {
        $record{registered_country} = { iso_code => $1 };
    } elsif ($code ne '') {
        $record{country} = { iso_code => $code };
    }
    return \%record;
}

my %types = (
    country            => 'map',
    registered_country => 'map',
    iso_code           => 'utf8_string',
    test_record        => 'utf8_string',
);

my $tree = MaxMind::DB::Writer::Tree->new(
    ip_version    => 6,
    record_size   => 24,
    database_type => 'GeoIP2-Country',
    languages     => ['en'],
    description   => { en => 'ContainerSSH test country database' },
    map_key_type_callback => sub { $types{ $_[0] } // die "$0: no type for key '$_[0]'\n" },
    # Last insert wins; inserting the widest networks first lets the narrower
    # ones carve their part out instead of being overwritten.
    merge_strategy => 'none',
    # Like MaxMind's own databases: ::ffff:a.b.c.d (and 6to4, Teredo) find the
    # IPv4 record.
    alias_ipv6_to_ipv4 => 1,
    # Tests use loopback and documentation ranges, which the writer drops by
    # default.
    remove_reserved_networks => 0,
);

for my $entry (sort { $a->{prefix} <=> $b->{prefix} } @networks) {
    $tree->insert_network($entry->{network}, $entry->{data});
}

open my $fh, '>:raw', $output or die "$0: cannot write $output: $!\n";
$tree->write_tree($fh);
close $fh or die "$0: cannot write $output: $!\n";
